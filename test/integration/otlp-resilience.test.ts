import { setTimeout as sleep } from 'node:timers/promises';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../agent/index.ts';
import type { HeadroomConfigInput } from '../../config/index.ts';
import { createOtlpTraceProcessor, type OtlpExportStats } from '../../exporters/otlp/index.ts';
import type { EmbeddedHeadroom as Headroom } from '../../instrumentation/index.ts';
import { configOf, ScriptedLoad } from '../helpers/agent.ts';
import { startInstrumented } from '../helpers/headroom.ts';
import { OtlpSink, until } from '../helpers/otlp-sink.ts';

const MAX_QUEUE = 500;

/** Counts the spans the provider hands to its processors: the "produced" side of the books. */
class CountingProcessor implements SpanProcessor {
  ended = 0;
  onStart(): void {}
  onEnd(): void {
    this.ended++;
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

function dropped(stats: OtlpExportStats): number {
  return Object.values(stats.dropped).reduce((sum, n) => sum + n, 0);
}

const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
let sink: OtlpSink;
let headroom: Headroom | undefined;
beforeEach(async () => {
  rejections.length = 0;
  process.on('unhandledRejection', onRejection);
  sink = await OtlpSink.start();
});
afterEach(async () => {
  await headroom?.shutdown();
  headroom = undefined;
  await sink.stop();
  process.off('unhandledRejection', onRejection);
});

describe('OTLP export while the backend goes down and comes back', () => {
  it('should keep the service running, bound the queue, count every drop and resume on the same port', async () => {
    const input: HeadroomConfigInput = {
      service: { name: 'checkout' },
      exporters: {
        otlp: {
          endpoint: sink.endpoint,
          timeout: '500ms',
          queue: { maxSize: MAX_QUEUE, batchSize: 100 },
          retry: { initialInterval: '50ms', maxInterval: '200ms', maxElapsedTime: '2s' },
        },
      },
    };
    const otlp = createOtlpTraceProcessor(configOf(input).exporters.otlp, { scheduledDelayMs: 20 });
    const produced = new CountingProcessor();
    headroom = startInstrumented({
      config: input,
      env: {},
      registerGlobal: false,
      spanProcessors: [produced, otlp],
      clock: new ManualClock(Date.now()),
      loadSampler: new ScriptedLoad(),
    });
    const service = headroom;
    const books = () => {
      const stats = otlp.stats();
      return stats.exported + dropped(stats) + stats.queueSize;
    };

    // Backend up: everything arrives.
    for (let chunk = 0; chunk < 10; chunk++) {
      for (let i = 0; i < 100; i++) service.track('quote', 'emergency', () => i);
      await until(() => otlp.stats().queueSize === 0, 5000, 'an exported chunk');
    }
    expect(otlp.stats()).toMatchObject({ exported: 1000, retries: 0 });

    // Backend down: 5000 operations in one go; the queue keeps 500, the rest is dropped as queue_full.
    await sink.stop();
    let sum = 0;
    for (let i = 0; i < 5000; i++) sum += service.track('quote', 'emergency', () => 1);
    expect(sum).toBe(5000);
    expect(otlp.stats()).toMatchObject({
      exported: 1000,
      queueSize: MAX_QUEUE,
      dropped: { queue_full: 4500 },
    });

    // Still down: the service keeps tracking over time while batches are retried and given up on.
    let maxQueue = 0;
    const deadline = Date.now() + 5000;
    while (otlp.stats().dropped.retries_exhausted === 0 && Date.now() < deadline) {
      for (let i = 0; i < 200; i++) service.track('quote', 'emergency', () => i);
      maxQueue = Math.max(maxQueue, otlp.stats().queueSize);
      expect(books()).toBe(produced.ended);
      await sleep(25);
    }
    const down = otlp.stats();
    expect(down.dropped.retries_exhausted).toBe(100); // one batch gave up after maxElapsedTime
    expect(down.retries).toBeGreaterThanOrEqual(5);
    expect(down.exported).toBe(1000);
    expect(maxQueue).toBeLessThanOrEqual(MAX_QUEUE);

    // Backend back on the same port: sending resumes.
    await sink.restart();
    const before = sink.spans.length;
    for (let i = 0; i < 50; i++) service.track('after-restart', 'routine', () => i);
    await until(
      () => sink.spans.filter((s) => s.name === 'after-restart').length === 50,
      8000,
      'spans after restart',
    );
    await until(() => otlp.stats().queueSize === 0, 5000, 'an empty queue');

    const final = otlp.stats();
    expect(final.exported).toBeGreaterThan(down.exported);
    expect(sink.spans.length - before).toBe(final.exported - down.exported);
    expect(final.exported + dropped(final)).toBe(produced.ended);
    expect(final.dropped.non_retryable + final.dropped.shutdown).toBe(0);
    expect(rejections).toEqual([]);
  });
});
