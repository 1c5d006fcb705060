import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Headroom } from '../../instrumentation/index.ts';
import { testHeadroom } from '../helpers/headroom.ts';

let running: Headroom | undefined;
afterEach(async () => {
  await running?.shutdown();
  running = undefined;
});

describe('HeadroomSpanProcessor', () => {
  it('should bind one series handle per operation, phase and rule target, however many spans end', () => {
    const { headroom } = testHeadroom({
      rules: [{ match: { spanName: 'GET /health' }, context: 'routine', operation: 'health' }],
    });
    running = headroom;
    const series = vi.spyOn(headroom.agent, 'series');
    const http = headroom.tracerProvider!.getTracer('http');
    for (let i = 0; i < 50; i++) {
      headroom.track('quote', 'emergency', (op) => op.phase('routing', () => i));
      headroom.track('refund', 'routine', () => i);
      if (i % 5 === 0) http.startSpan('GET /health').end();
    }

    expect(series.mock.calls).toStrictEqual([
      [{ namespace: '', service: 'checkout', operation: 'quote', context: 'emergency', phase: 'routing' }],
      [{ namespace: '', service: 'checkout', operation: 'quote', context: 'emergency', phase: '' }],
      [{ namespace: '', service: 'checkout', operation: 'refund', context: 'routine', phase: '' }],
      [{ namespace: '', service: 'checkout', operation: 'health', context: 'routine', phase: '' }],
    ]);
    expect(headroom.agent.registry.list().map((s) => [s.operation, s.phase, s.totals.count])).toStrictEqual([
      ['quote', 'routing', 50],
      ['quote', '', 50],
      ['refund', '', 50],
      ['health', '', 10],
    ]);
  });
});
