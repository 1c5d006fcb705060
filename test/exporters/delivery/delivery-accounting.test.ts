/**
 * Accounting of the delivery engine under a random storm (offers beyond capacity, receivers that
 * fail, hang or ask for Retry-After, flushes, time moving, a shutdown in the middle of it): at
 * every step each offered item is sent, dropped by reason or still queued, and the queue never
 * holds more than its capacity. Seeded, on the ManualClock.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../agent/index.ts';
import { DeliveryQueue, type DeliveryResult, type DeliveryStats } from '../../../exporters/delivery/index.ts';
import { mulberry32 as seededRandom } from '../../helpers/random.ts';

const accounted = (s: DeliveryStats) =>
  s.sentItems + Object.values(s.dropped).reduce((a, b) => a + b, 0) + s.queuedItems;

describe.each(['drop_newest', 'drop_oldest'] as const)('DeliveryQueue accounting (%s)', (overflow) => {
  it.each([1, 2, 3, 4, 5])('should account for every item offered, seed %i', async (seed) => {
    const random = seededRandom(seed);
    const clock = new ManualClock();
    const results: (DeliveryResult | 'hang')[] = [
      { status: 'success', rejected: 0 },
      { status: 'success', rejected: 1 },
      { status: 'retryable', error: new Error('503') },
      { status: 'retryable', retryAfterMs: 2000, error: new Error('429') },
      { status: 'retryable', retryAfterMs: 1e12, error: new Error('429') },
      { status: 'failure', error: new Error('400') },
      'hang',
    ];
    const queue = new DeliveryQueue<number>({
      name: 'storm',
      send: (_batch, signal) => {
        const next = results[Math.floor(random() * results.length)] as DeliveryResult | 'hang';
        if (next !== 'hang') return Promise.resolve(next);
        return new Promise((resolve) =>
          signal.addEventListener('abort', () => resolve({ status: 'failure', error: new Error('aborted') })),
        );
      },
      capacity: 20,
      overflow,
      batchSize: 4,
      batchDelayMs: 100,
      retry: {
        enabled: true,
        initialIntervalMs: 50,
        maxIntervalMs: 400,
        multiplier: 2,
        maxElapsedTimeMs: 3000,
      },
      maxRetries: overflow === 'drop_oldest' ? 3 : undefined,
      clock,
      random,
    });
    let offered = 0;
    const broken: string[] = [];
    const check = (step: number) => {
      const s = queue.stats();
      if (accounted(s) !== offered) broken.push(`step ${step}: ${accounted(s)} accounted of ${offered}`);
      if (overflow === 'drop_newest' && s.queuedItems > s.capacity)
        broken.push(`step ${step}: ${s.queuedItems} held`);
    };
    let shutdown: Promise<boolean> | undefined;
    for (let step = 0; step < 400; step++) {
      const burst = Math.floor(random() * 12);
      for (let i = 0; i < burst; i++) {
        queue.offer(offered);
        offered++;
      }
      check(step);
      if (random() < 0.05) void queue.flush();
      if (step === 300) shutdown = queue.shutdown(5000);
      await clock.advanceAsync(Math.floor(random() * 300));
      check(step);
    }
    await clock.advanceAsync(10_000);
    const delivered = await shutdown;
    const s = queue.stats();
    expect({ broken, delivered: typeof delivered, queued: s.queuedItems, accounted: accounted(s) }).toEqual({
      broken: [],
      delivered: 'boolean',
      queued: 0,
      accounted: offered,
    });
  });
});
