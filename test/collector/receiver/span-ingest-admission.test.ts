import { describe, expect, it, vi } from 'vitest';
import { RuleMatcher } from '../../../agent/index.ts';
import { SpanIngest } from '../../../collector/receiver/span-ingest.ts';
import { ServiceDirectory } from '../../../collector/service-directory.ts';
import { testAgent } from '../../helpers/agent.ts';
import { decodedSpan, decodedTraces } from '../../helpers/spans.ts';
import { rejectedBy } from './span-outcomes.ts';

const QUOTE = { 'headroom.budget.context': 'emergency', 'headroom.operation': 'quote' };

function setup() {
  const { agent, clock } = testAgent({
    criticality: { classes: { SHEDDABLE: { budgetMultiplier: 2 } } },
    rules: [{ match: { spanName: 'GET /export' }, context: 'routine', criticality: 'SHEDDABLE' }],
  });
  const ingest = new SpanIngest({
    agent,
    rules: new RuleMatcher(agent.config.rules),
    directory: new ServiceDirectory(),
  });
  const record = vi.spyOn(agent.admission('checkout', 'shop'), 'record');
  return { agent, clock, ingest, record };
}

describe('SpanIngest: what admission learns', () => {
  it("should feed the sender's controller each whole operation in the span's class, and judge no rejected request", () => {
    const { agent, clock, ingest, record } = setup();
    const now = clock.now();
    const span = (durationMs: number, attributes: Record<string, string>, name = 'GET /quote') =>
      decodedSpan(now, durationMs, { name, attributes });
    const outcome = ingest.ingest(
      decodedTraces([
        span(100, QUOTE),
        span(100, { ...QUOTE, 'headroom.criticality': 'SHEDDABLE' }),
        span(100, { ...QUOTE, 'headroom.criticality': 'CRITICAL_PLUS' }),
        span(25, { ...QUOTE, 'headroom.criticality': 'critical' }),
        span(1, { ...QUOTE, 'headroom.admission.outcome': 'rejected' }),
        span(1, { ...QUOTE, 'headroom.criticality': 'SHEDDABLE', 'headroom.admission.outcome': 'rejected' }),
        span(400, {}, 'GET /export'),
        span(1, { 'headroom.admission.outcome': 'rejected' }, 'GET /export'),
        span(5, { ...QUOTE, 'headroom.phase': 'routing' }),
      ]),
    );
    expect(outcome).toEqual({ accepted: 9, rejected: 0, rejectedBy: rejectedBy(), retimed: 0, message: '' });
    expect(record.mock.calls).toEqual([
      ['CRITICAL', 2, now],
      ['SHEDDABLE', 1, now],
      ['CRITICAL_PLUS', 2, now],
      ['CRITICAL', 0.5, now],
      ['SHEDDABLE', 1, now],
    ]);
    expect(agent.registry.list().map((s) => [s.operation, s.phase, s.window.snapshot(now).count])).toEqual([
      ['quote', '', 4],
      ['quote', 'routing', 1],
      ['GET /export', '', 1],
    ]);
    expect(ingest.invalidCriticalities).toBe(1);
  });
});
