import { afterEach, describe, expect, it } from 'vitest';
import { testHeadroom } from '../helpers/headroom.ts';

let made: ReturnType<typeof testHeadroom> | undefined;
afterEach(async () => {
  await made?.headroom.shutdown();
  made = undefined;
});

describe('embedded mode: absurd span durations', () => {
  it('should drop spans over window.maxSpanDuration, counted by reason, and judge the rest unmoved', async () => {
    made = testHeadroom({ window: { maxSpanDuration: '10m' } });
    const { headroom, clock } = made;
    const tracer = headroom.tracerProvider!.getTracer('app');
    const attributes = { 'headroom.budget.context': 'emergency', 'headroom.operation': 'quote' };
    const now = clock.now();
    for (let i = 0; i < 20; i++) {
      tracer.startSpan('quote', { attributes, startTime: now - 20 }).end(now);
    }
    // A span started 1 ns after the epoch (a zeroed clock), and one exactly 10 minutes long.
    tracer.startSpan('quote', { attributes, startTime: [0, 1] }).end(now);
    tracer.startSpan('quote', { attributes, startTime: now - 600_000 }).end(now);
    tracer.startSpan('quote', { attributes, startTime: now - 600_001 }).end(now);
    expect(headroom.agent.health()).toMatchObject({ samplesDroppedDuration: 2, samplesDroppedInvalid: 0 });
    const [verdict] = headroom.tick().verdicts;
    expect(verdict).toEqual({
      series: { namespace: '', service: 'checkout', operation: 'quote', context: 'emergency', phase: '' },
      status: 'ok',
      percentile: 'p95',
      observedMs: verdict!.observedMs,
      budgetMs: 50,
      baseBudgetMs: 50,
      ratio: verdict!.observedMs / 50,
      samples: 21,
      at: clock.now(),
    });
    expect(verdict!.observedMs).toBeCloseTo(20, 0);
  });
});
