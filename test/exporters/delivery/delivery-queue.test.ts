import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../agent/index.ts';
import { EntryQueue } from '../../../exporters/delivery/entry-queue.ts';
import {
  DeliveryQueue,
  type DeliveryQueueOptions,
  type DeliveryResult,
  type DeliveryStats,
} from '../../../exporters/delivery/index.ts';

const OK: DeliveryResult = { status: 'success', rejected: 0 };
const BUSY: DeliveryResult = { status: 'retryable', error: new Error('503') };
const NONE = { queue_full: 0, retries_exhausted: 0, non_retryable: 0, shutdown: 0 };
const RETRY = {
  enabled: true,
  initialIntervalMs: 100,
  maxIntervalMs: 400,
  multiplier: 2,
  maxElapsedTimeMs: 1000,
};

function setup<T>(options: Partial<DeliveryQueueOptions<T>>, script: (DeliveryResult | 'hang')[] = []) {
  const clock = new ManualClock();
  const sent: { atMs: number; batch: T[] }[] = [];
  const queue = new DeliveryQueue<T>({
    name: 'test',
    send: (batch, signal) => {
      sent.push({ atMs: clock.now(), batch: [...batch] });
      const next = script.shift() ?? OK;
      if (next !== 'hang') return Promise.resolve(next);
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve(BUSY)));
    },
    capacity: 4,
    overflow: 'drop_newest',
    batchSize: 2,
    retry: RETRY,
    clock,
    random: () => 0.5,
    ...options,
  });
  return { clock, queue, sent };
}

const stats = (partial: Partial<DeliveryStats>): DeliveryStats => ({
  sentItems: 0,
  sentBatches: 0,
  dropped: NONE,
  failedAttempts: 0,
  retries: 0,
  queuedItems: 0,
  queuedBytes: 0,
  capacity: 4,
  keptItems: 0,
  ...partial,
});

describe('DeliveryQueue', () => {
  it('should hold what is offered while paused, send it in order once resumed, and tell each settled batch', async () => {
    const settled: string[][] = [];
    const { clock, queue, sent } = setup<string>({ paused: true, onSettled: (b) => settled.push([...b]) }, [
      { status: 'failure', error: new Error('400') },
    ]);
    for (const item of ['a', 'b', 'c']) queue.offer(item);
    await queue.flush(); // resolves at once: a paused queue sends nothing, even when asked
    await clock.advanceAsync(10_000);
    expect([sent, queue.stats().queuedItems]).toEqual([[], 3]);
    queue.resume();
    queue.resume();
    await queue.flush();
    expect(sent.map((s) => s.batch)).toEqual([['a', 'b'], ['c']]);
    expect(settled).toEqual([['a', 'b'], ['c']]);
    expect(queue.stats()).toEqual(
      stats({ sentItems: 1, sentBatches: 1, failedAttempts: 1, dropped: { ...NONE, non_retryable: 2 } }),
    );
  });

  it('should keep what it holds at shutdown under keepAtShutdown, counting nothing as dropped', async () => {
    const { queue } = setup<string>({ paused: true, keepAtShutdown: true });
    queue.offer('a');
    queue.offer('b', { items: 2 });
    expect(await queue.shutdown(1000)).toBe(true);
    expect(queue.stats()).toEqual(stats({ keptItems: 3 }));
  });

  it('should send full batches at once and a partial one after batchDelayMs on the clock', async () => {
    const { clock, queue, sent } = setup<string>({ batchDelayMs: 50 });
    for (const item of ['a', 'b', 'c']) queue.offer(item);
    await clock.advanceAsync(49);
    expect(sent).toEqual([{ atMs: clock.now() - 49, batch: ['a', 'b'] }]);
    await clock.advanceAsync(1);
    expect(sent.map((s) => s.batch)).toEqual([['a', 'b'], ['c']]);
    expect(queue.stats()).toEqual(stats({ sentItems: 3, sentBatches: 2 }));
  });

  it('should refuse the newest entry when items or bytes would pass the bounds, the batch in flight included', async () => {
    const { clock, queue } = setup<string>({ maxBytes: 100, batchSize: 1 }, ['hang']);
    queue.offer('a', { items: 2, bytes: 10 });
    await clock.advanceAsync(0);
    queue.offer('b', { items: 3, bytes: 10 }); // 2 + 3 > 4 items
    queue.offer('c', { items: 1, bytes: 91 }); // 10 + 91 > 100 bytes
    queue.offer('d', { items: 2, bytes: 90 });
    expect(queue.stats()).toEqual(
      stats({ dropped: { ...NONE, queue_full: 4 }, queuedItems: 4, queuedBytes: 100 }),
    );
  });

  it('should evict the oldest waiting items under drop_oldest and replace a waiting item by key in place', async () => {
    const keyOf = (item: { key: string; v: number }) => item.key;
    const { clock, queue, sent } = setup({ overflow: 'drop_oldest', capacity: 2, batchSize: 5, keyOf });
    queue.offer({ key: 'a', v: 1 });
    queue.offer({ key: 'b', v: 1 });
    queue.offer({ key: 'a', v: 2 }); // replaces a in place
    queue.offer({ key: 'c', v: 1 }); // evicts a
    await clock.advanceAsync(0);
    expect(sent.map((s) => s.batch)).toEqual([
      [
        { key: 'b', v: 1 },
        { key: 'c', v: 1 },
      ],
    ]);
    expect(queue.stats()).toEqual(
      stats({ sentItems: 2, sentBatches: 1, dropped: { ...NONE, queue_full: 1 }, capacity: 2 }),
    );
  });

  it('should retry with the backoff, honour a longer Retry-After, and stop after maxRetries', async () => {
    const later: DeliveryResult = { status: 'retryable', retryAfterMs: 300, error: new Error('429') };
    const { clock, queue, sent } = setup<string>({ maxRetries: 2 }, [BUSY, later, BUSY]);
    queue.offer('a');
    const startMs = clock.now();
    await clock.advanceAsync(10_000);
    expect(sent.map((s) => s.atMs - startMs)).toEqual([0, 100, 400]);
    expect(queue.stats()).toEqual(
      stats({ dropped: { ...NONE, retries_exhausted: 1 }, failedAttempts: 3, retries: 2 }),
    );
  });

  it('should give a batch up once the next attempt would start after maxElapsedTimeMs', async () => {
    const { clock, queue, sent } = setup<string>({}, Array(20).fill(BUSY));
    queue.offer('a');
    await clock.advanceAsync(10_000);
    // 100 + 200 + 400 = 700 ms; another 400 ms would end at 1100 > 1000.
    expect(sent.map((s) => s.atMs - (sent[0]?.atMs ?? 0))).toEqual([0, 100, 300, 700]);
    expect(queue.stats()).toEqual(
      stats({ dropped: { ...NONE, retries_exhausted: 1 }, failedAttempts: 4, retries: 3 }),
    );
  });

  it('should count a partial success and a sender that throws as non_retryable', async () => {
    const { clock, queue } = setup<string>({}, [{ status: 'success', rejected: 1 }]);
    queue.offer('a');
    queue.offer('b');
    await clock.advanceAsync(0);
    const failing = setup<string>({ send: () => Promise.reject(new Error('bug')) });
    failing.queue.offer('c');
    await failing.clock.advanceAsync(0);
    expect([queue.stats(), failing.queue.stats()]).toEqual([
      stats({ sentItems: 1, sentBatches: 1, dropped: { ...NONE, non_retryable: 1 } }),
      stats({ dropped: { ...NONE, non_retryable: 1 }, failedAttempts: 1 }),
    ]);
  });

  it('should flush what it can by the shutdown bound on the clock, then count every held item', async () => {
    const { clock, queue } = setup<string>({ batchSize: 1 }, ['hang']);
    for (const item of ['a', 'b', 'c']) queue.offer(item);
    let inTime: boolean | undefined;
    const closing = queue.shutdown(200).then((value) => {
      inTime = value;
    });
    queue.offer('late');
    await clock.advanceAsync(199);
    expect(inTime).toBeUndefined();
    await clock.advanceAsync(1);
    await closing;
    expect([inTime, queue.shutdown(5)]).toEqual([false, expect.any(Promise)]);
    expect(await queue.shutdown(5)).toBe(false);
    expect(queue.stats()).toEqual(stats({ dropped: { ...NONE, shutdown: 4 } }));
  });
});

describe('EntryQueue', () => {
  it('should take whole entries up to a number of items, at least one', () => {
    const queue = new EntryQueue<string>();
    queue.push({ item: 'a', items: 3, bytes: 1 });
    queue.push({ item: 'b', items: 2, bytes: 1 });
    queue.push({ item: 'c', items: 9, bytes: 1 });
    expect(queue.take(4).map((e) => e.item)).toEqual(['a']);
    expect(queue.take(4).map((e) => e.item)).toEqual(['b']);
    expect([queue.items, queue.bytes]).toEqual([9, 1]);
    expect(queue.take(4).map((e) => e.item)).toEqual(['c']);
    expect(queue.clear()).toBe(0);
  });

  it('should replace a queued item with the same key in place', () => {
    const queue = new EntryQueue<{ key: string; v: number }>((item) => item.key);
    queue.push({ item: { key: 'a', v: 1 }, items: 1, bytes: 0 });
    queue.push({ item: { key: 'b', v: 1 }, items: 1, bytes: 0 });
    queue.push({ item: { key: 'a', v: 2 }, items: 1, bytes: 0 });
    expect(queue.take(1).map((e) => e.item)).toEqual([{ key: 'a', v: 2 }]);
    expect(queue.clear()).toBe(1);
  });
});
