/**
 * Delays past Node's timer limit (2^31 - 1 ms, about 24.8 days): Node fires such a timer after
 * 1 ms. A duration in the config (`600h` is accepted) or a receiver's Retry-After must not turn a
 * long wait into a tight loop. These run on the real clock, since its timers are what is tested;
 * each waits a bounded few tens of ms for a timer that must not fire.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sleep, systemClock } from '../../agent/index.ts';
import { DeliveryQueue } from '../../exporters/delivery/index.ts';

const BEYOND_LIMIT_MS = 2 ** 31 + 5000;
const realWait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('systemClock with delays past the timer limit', () => {
  it('should not fire after() early, and cancel() still cancels the chained timer', async () => {
    const warnings = vi.spyOn(process, 'emitWarning');
    const fired: string[] = [];
    const long = systemClock.after(BEYOND_LIMIT_MS, () => fired.push('long'));
    const exact = systemClock.after(2 ** 31 - 1, () => fired.push('limit'));
    systemClock.after(5, () => fired.push('short'));
    await realWait(40);
    long.cancel();
    exact.cancel();
    expect({ fired, warnings: warnings.mock.calls.length }).toEqual({ fired: ['short'], warnings: 0 });
  });

  it('should not run every() in a tight loop', async () => {
    let runs = 0;
    const timer = systemClock.every(BEYOND_LIMIT_MS, () => runs++);
    await realWait(40);
    timer.cancel();
    expect(runs).toBe(0);
  });

  it('should keep sleep() pending and abortable', async () => {
    const abort = new AbortController();
    let settled = 'pending';
    const slept = sleep(systemClock, BEYOND_LIMIT_MS, abort.signal).then(
      () => (settled = 'resolved'),
      () => (settled = 'rejected'),
    );
    await realWait(40);
    const before = settled;
    abort.abort();
    await slept;
    expect([before, settled]).toEqual(['pending', 'rejected']);
  });

  it('should not retry at once when a receiver asks for a Retry-After past the limit', async () => {
    let attempts = 0;
    const queue = new DeliveryQueue<string>({
      name: 'test',
      send: async () => {
        attempts++;
        return { status: 'retryable', retryAfterMs: BEYOND_LIMIT_MS, error: new Error('429') };
      },
      capacity: 10,
      overflow: 'drop_newest',
      batchSize: 1,
      retry: {
        enabled: true,
        initialIntervalMs: 5,
        maxIntervalMs: 5,
        multiplier: 1,
        maxElapsedTimeMs: 2 ** 33,
      },
      clock: systemClock,
    });
    queue.offer('span');
    await realWait(40);
    const delivered = await queue.shutdown(0);
    expect({ attempts, delivered, dropped: queue.stats().dropped.shutdown }).toEqual({
      attempts: 1,
      delivered: false,
      dropped: 1,
    });
  });
});
