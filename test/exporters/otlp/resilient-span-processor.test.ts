import { AlwaysOffSampler, createAlwaysRecordSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../agent/index.ts';
import {
  ResilientSpanProcessor,
  type ResilientSpanProcessorOptions,
  type SendResult,
  type SpanBatchSender,
} from '../../../exporters/otlp/index.ts';

const OK: SendResult = { status: 'success', rejected: 0 };
const BUSY: SendResult = { status: 'retryable', error: new Error('503') };
const BAD: SendResult = { status: 'failure', error: new Error('400') };
const FAST_RETRY = {
  enabled: true,
  initialIntervalMs: 5,
  maxIntervalMs: 20,
  multiplier: 2,
  maxElapsedTimeMs: 1000,
};
const NONE = { queue_full: 0, retries_exhausted: 0, non_retryable: 0, shutdown: 0 };

/** A sender answering from a script (then success); 'hang' waits until the processor aborts. */
class ScriptedSender implements SpanBatchSender {
  readonly batches: number[] = [];
  readonly sentAtMs: number[] = [];
  shutdowns = 0;
  readonly #script: (SendResult | 'hang' | 'throw')[] = [];

  readonly #clock: ManualClock;

  constructor(clock: ManualClock) {
    this.#clock = clock;
  }

  script(...results: (SendResult | 'hang' | 'throw')[]): void {
    this.#script.push(...results);
  }

  send(spans: readonly unknown[], signal: AbortSignal): Promise<SendResult> {
    this.batches.push(spans.length);
    this.sentAtMs.push(this.#clock.now());
    const next = this.#script.shift() ?? OK;
    if (next === 'throw') return Promise.reject(new Error('sender bug'));
    if (next !== 'hang') return Promise.resolve(next);
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(BAD), { once: true }));
  }

  shutdown(): void {
    this.shutdowns++;
  }
}

let processors: ResilientSpanProcessor[] = [];
let clock = new ManualClock();
afterEach(async () => {
  const closing = Promise.all(processors.map((p) => p.shutdown()));
  await clock.advanceAsync(1000);
  await closing;
  processors = [];
  clock = new ManualClock();
});

/** Moves the clock in 1 ms steps (promise chains run between them) until `done()`, at most `maxMs`. */
async function until(done: () => boolean, maxMs = 10_000): Promise<void> {
  await clock.advanceAsync(0);
  for (let ms = 0; !done(); ms++) {
    if (ms >= maxMs) throw new Error(`not done after ${maxMs} ms on the clock`);
    await clock.advanceAsync(1);
  }
}

function setup(options: Partial<ResilientSpanProcessorOptions> = {}, recordOnly = false) {
  const sender = new ScriptedSender(clock);
  const processor = new ResilientSpanProcessor({
    sender,
    maxQueueSize: 10,
    batchSize: 4,
    retry: FAST_RETRY,
    timeoutMs: 1000,
    scheduledDelayMs: 20,
    random: () => 0.5,
    clock,
    ...options,
  });
  processors.push(processor);
  const sampler = recordOnly ? createAlwaysRecordSampler(new AlwaysOffSampler()) : undefined;
  const tracer = new TracerProvider({ spanProcessors: [processor], sampler }).getTracer('test');
  const emit = (count: number) => {
    for (let i = 0; i < count; i++) tracer.startSpan(`op-${i}`).end();
  };
  return { sender, processor, emit };
}

describe('ResilientSpanProcessor', () => {
  it('should send full batches at once and the remainder after the scheduled delay', async () => {
    const { sender, processor, emit } = setup({ maxQueueSize: 100 });
    emit(10);
    await until(() => processor.stats().exported === 10);
    expect(sender.batches).toEqual([4, 4, 2]);
    expect(processor.stats()).toEqual({
      exported: 10,
      dropped: NONE,
      retries: 0,
      queueSize: 0,
      queueCapacity: 100,
    });
  });

  it('should drop and count spans beyond maxQueueSize, the batch in flight included', async () => {
    const { sender, processor, emit } = setup({ timeoutMs: 50 });
    sender.script('hang');
    emit(30);
    expect(processor.stats()).toEqual({
      exported: 0,
      dropped: { ...NONE, queue_full: 20 },
      retries: 0,
      queueSize: 10,
      queueCapacity: 10,
    });
    const closing = processor.shutdown();
    await clock.advanceAsync(50);
    await closing;
    expect(processor.stats()).toEqual({
      exported: 0,
      dropped: { ...NONE, queue_full: 20, shutdown: 10 },
      retries: 0,
      queueSize: 0,
      queueCapacity: 10,
    });
  });

  it('should retry retryable failures with backoff, count each retry and deliver once', async () => {
    const { sender, processor, emit } = setup();
    sender.script(BUSY, BUSY, OK);
    emit(4);
    await until(() => processor.stats().exported === 4);
    expect([sender.batches, processor.stats().retries, processor.stats().dropped]).toEqual([
      [4, 4, 4],
      2,
      NONE,
    ]);
  });

  it('should wait at least as long as Retry-After asks', async () => {
    const { sender, processor, emit } = setup();
    sender.script({ status: 'retryable', retryAfterMs: 150, error: new Error('429') });
    emit(4);
    await until(() => processor.stats().exported === 4);
    expect((sender.sentAtMs[1] ?? 0) - (sender.sentAtMs[0] ?? 0)).toBe(150);
  });

  it('should drop a batch as retries_exhausted once maxElapsedTime would be passed', async () => {
    const { sender, processor, emit } = setup({ retry: { ...FAST_RETRY, maxElapsedTimeMs: 60 } });
    sender.script(...Array(50).fill(BUSY));
    emit(4);
    await until(() => processor.stats().dropped.retries_exhausted === 4);
    const { retries, queueSize, exported } = processor.stats();
    expect([exported, queueSize, retries]).toEqual([0, 0, sender.batches.length - 1]);
    expect(retries).toBe(4); // 5 + 10 + 20 + 20 ms <= 60 ms; a fifth 20 ms would end at 75 ms
  });

  it('should drop non-retryable failures at once, and retryable ones when retry is disabled', async () => {
    const { sender, processor, emit } = setup({ retry: { ...FAST_RETRY, enabled: false } });
    sender.script(BAD, BUSY);
    emit(8);
    await until(() => processor.stats().queueSize === 0);
    expect([sender.batches, processor.stats().dropped]).toEqual([
      [4, 4],
      { ...NONE, non_retryable: 4, retries_exhausted: 4 },
    ]);
  });

  it('should count spans refused in a partial success as non_retryable', async () => {
    const { sender, processor, emit } = setup();
    sender.script({ status: 'success', rejected: 3 });
    emit(4);
    await until(() => processor.stats().queueSize === 0);
    expect([processor.stats().exported, processor.stats().dropped]).toEqual([
      1,
      { ...NONE, non_retryable: 3 },
    ]);
  });

  it('should count a batch whose sender failed unexpectedly, without throwing into the host', async () => {
    const { sender, processor, emit } = setup();
    sender.script('throw');
    emit(5);
    await until(() => processor.stats().queueSize === 1);
    await processor.forceFlush();
    expect([processor.stats().exported, processor.stats().dropped]).toEqual([
      1,
      { ...NONE, non_retryable: 4 },
    ]);
  });

  it('should not export spans that are recorded but sampled out', async () => {
    const { sender, processor, emit } = setup({}, true);
    emit(5);
    await processor.forceFlush();
    expect([sender.batches, processor.stats().queueSize]).toEqual([[], 0]);
  });

  it('should send a partial batch on forceFlush without waiting for the scheduled delay', async () => {
    const { sender, processor, emit } = setup({ scheduledDelayMs: 60_000 });
    emit(2);
    await processor.forceFlush();
    expect([sender.batches, processor.stats().exported]).toEqual([[2], 2]);
  });

  it('should stop waiting in forceFlush at the timeout and keep the batch for later', async () => {
    const { sender, processor, emit } = setup({ timeoutMs: 50 });
    sender.script('hang');
    emit(2);
    const startedMs = clock.now();
    let flushed = false;
    const flushing = processor.forceFlush().then(() => {
      flushed = true;
    });
    await clock.advanceAsync(49);
    expect(flushed).toBe(false);
    await clock.advanceAsync(1);
    await flushing;
    expect(clock.now() - startedMs).toBe(50);
    expect(processor.stats().queueSize).toBe(2);
  });

  it('should flush on shutdown, count later spans as dropped at shutdown and shut down once', async () => {
    const { sender, processor, emit } = setup({ scheduledDelayMs: 60_000 });
    emit(6);
    const first = processor.shutdown();
    await expect(first).resolves.toBeUndefined();
    await processor.shutdown();
    emit(1);
    await processor.forceFlush();
    expect([sender.batches, sender.shutdowns]).toEqual([[4, 2], 1]);
    expect(processor.stats()).toEqual({
      exported: 6,
      dropped: { ...NONE, shutdown: 1 },
      retries: 0,
      queueSize: 0,
      queueCapacity: 10,
    });
  });

  it('should clamp batchSize to maxQueueSize', async () => {
    const { sender, processor, emit } = setup({ maxQueueSize: 3, batchSize: 512 });
    emit(3);
    await until(() => processor.stats().exported === 3);
    expect(sender.batches).toEqual([3]);
  });
});
