import { DiagLogLevel, diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { HeadroomMetricProducer } from '../../exporters/metrics/index.ts';
import { exposition } from '../../exporters/prometheus/index.ts';
import { testHeadroom } from '../helpers/headroom.ts';

afterEach(() => diag.disable());

describe('track() with hostile names', () => {
  it('should run operations with 4 MB names, export the span name untouched and keep a small exposition', async () => {
    const { headroom, exporter } = testHeadroom({ limits: { nameLength: 64 } });
    const huge = 'o'.repeat(4 * 1024 * 1024);

    const results = [1, 2, 3].map((i) => headroom.track(`${i}${huge}`, 'routine', () => i * 2));
    const phased = headroom.track('checkout', 'routine', (op) => op.phase(`${huge}`, () => 'phase ran'));

    expect([results, phased]).toEqual([[2, 4, 6], 'phase ran']);
    expect(exporter.getFinishedSpans()[0]?.name).toBe(`1${huge}`);
    expect(headroom.agent.registry.list().map((s) => [s.operation.length, s.phase.length])).toEqual([
      [64, 0],
      [64, 0],
      [64, 0],
      [8, 64],
      [8, 0],
    ]);
    const text = await exposition(new HeadroomMetricProducer({ agent: headroom.agent, maxSeries: 2000 }));
    expect(text.length).toBeLessThan(100_000);
    await headroom.shutdown();
  });

  it('should cap 100,000 distinct operation names at limits.operations, warning about a bounded number of them', async () => {
    const warnings: string[] = [];
    diag.setLogger(
      {
        ...console,
        warn: (message: string) => warnings.push(message),
        debug: () => {},
        info: () => {},
        verbose: () => {},
        error: () => {},
      },
      DiagLogLevel.WARN,
    );
    const { headroom } = testHeadroom({ limits: { operations: 10 } });

    for (let i = 0; i < 100_000; i++)
      headroom.track(`op-${i}`, i % 2 === 0 ? 'routine' : `ctx-${i}`, () => i);

    const series = headroom.agent.registry.list().map((s) => [s.operation, s.context]);
    // Per (service, context): 10 operations and the overflow one; unknown contexts fold into one.
    expect(series).toHaveLength(22);
    expect([series[10], series[11], series[21]]).toEqual([
      ['__overflow__', 'routine'],
      ['op-1', '__overflow__'],
      ['__overflow__', '__overflow__'],
    ]);
    // Bindings (and their warnings) are kept for 10 x (3 contexts + 1) operations at most.
    expect(warnings.length).toBeLessThanOrEqual(40);
    expect(headroom.agent.health().overflowed).toMatchObject({ operation: 99_980, context: 50_000 });
    await headroom.shutdown();
  });
});
