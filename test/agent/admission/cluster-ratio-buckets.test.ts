// A cluster worker's ratio buckets at wall-clock epochs (review15g M1): one bucket per 100 ms of
// end time and per 1 % ratio step, whatever the clock reads. A key packing both into one double
// (`slot * 2^20 + exponent`) passes 2^53 at 2026 and merges neighbouring steps.
import { describe, expect, it } from 'vitest';
import { type TestWorker, testGroup } from '../cluster/cluster-group.ts';

/** The largest time a Date holds (ms since the epoch, ECMA-262 21.4.1.1), less a minute. */
const FAR_MS = 8.64e15 - 60_000;

const step = (ratio: number) => 1.01 ** Math.round(Math.log(ratio) / Math.log(1.01));

describe.each([
  ['2026-12-01', Date.parse('2026-12-01T05:00:00.000Z')],
  ['the last Date', FAR_MS],
])('cluster ratio buckets at %s (review15g M1)', (_name, epochMs) => {
  it('should ship ratios one 1 % step apart in buckets of their own, each to within 0.5 %, counts exact', () => {
    const { clock, workers, flush } = testGroup(
      { service: { name: 'svc' }, contexts: { routine: { budget: '100ms' } } },
      1,
    );
    clock.advance(epochMs - clock.now());
    const [worker] = workers as [TestWorker];
    worker.link.start();
    flush();
    const admission = worker.agent.admission('svc');
    const endMs = clock.now() - 450;
    const ratios = [0.97, 0.98, 0.99, 1, 1.01, 1.02, 1.03];
    for (const ratio of ratios) admission.record('CRITICAL', ratio, endMs);
    admission.record('CRITICAL', 1.02, endMs + 10);
    admission.record('CRITICAL', 1.02, endMs - 100);
    worker.link.tick();
    const last = worker.up.pending.at(-1) as {
      message: { admission?: { samples: { CRITICAL: number[][] } }[] };
    };
    const shipped = last.message.admission?.[0]?.samples.CRITICAL;
    expect(shipped).toEqual([
      [endMs, step(0.97), 1],
      [endMs, step(0.98), 1],
      [endMs, step(0.99), 1],
      [endMs, 1, 1],
      [endMs, step(1.01), 1],
      [endMs + 10, step(1.02), 2],
      [endMs, step(1.03), 1],
      [endMs - 100, step(1.02), 1],
    ]);
    for (const ratio of ratios) expect(Math.abs(step(ratio) / ratio - 1)).toBeLessThan(0.005);
  });
});
