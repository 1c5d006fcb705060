import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { createOtlpTraceProcessor, type ResilientSpanProcessor } from '../../../exporters/otlp/index.ts';
import { configOf } from '../../helpers/agent.ts';
import { OtlpSink, until } from '../../helpers/otlp-sink.ts';

type OtlpInput = NonNullable<NonNullable<HeadroomConfigInput['exporters']>['otlp']>;
const NONE = { queue_full: 0, retries_exhausted: 0, non_retryable: 0, shutdown: 0 };
const FAST_RETRY = { initialInterval: '20ms', maxInterval: '100ms', maxElapsedTime: '2s' };

let sink: OtlpSink;
let processor: ResilientSpanProcessor | undefined;
beforeEach(async () => {
  sink = await OtlpSink.start();
});
afterEach(async () => {
  await processor?.shutdown();
  processor = undefined;
  await sink.stop();
});

function setup(otlp: OtlpInput = {}) {
  const config = configOf({ exporters: { otlp: { endpoint: sink.endpoint, retry: FAST_RETRY, ...otlp } } });
  processor = createOtlpTraceProcessor(config.exporters.otlp, { scheduledDelayMs: 10 });
  const resource = resourceFromAttributes({ 'service.name': 'checkout' });
  const tracer = new TracerProvider({ resource, spanProcessors: [processor] }).getTracer('headroom-otel');
  const emit = (count: number) => {
    for (let i = 0; i < count; i++)
      tracer.startSpan('quote', { attributes: { 'headroom.budget.ms': 50 } }).end();
  };
  return { processor, emit };
}

describe('createOtlpTraceProcessor', () => {
  it.each([
    ['http/protobuf', 'gzip', 'application/x-protobuf', 'gzip'],
    ['http/json', 'none', 'application/json', undefined],
  ] as const)(
    'should post %s (%s) to endpoint + /v1/traces with the configured headers',
    async (protocol, compression, type, encoding) => {
      const { processor, emit } = setup({ protocol, compression, headers: { 'x-tenant': 'team-a' } });
      emit(3);
      await until(() => processor.stats().exported === 3);
      expect(
        sink.requests.map((r) => [r.path, r.contentType, r.contentEncoding, r.headers['x-tenant'], r.reply]),
      ).toEqual([['/v1/traces', type, encoding, 'team-a', 200]]);
      expect(
        sink.spans.map((s) => [s.name, s.resource['service.name'], s.attributes['headroom.budget.ms']]),
      ).toEqual([
        ['quote', 'checkout', 50],
        ['quote', 'checkout', 50],
        ['quote', 'checkout', 50],
      ]);
      expect(processor.stats()).toEqual({
        exported: 3,
        dropped: NONE,
        retries: 0,
        queueSize: 0,
        queueCapacity: 2048,
      });
    },
  );

  it('should post to tracesEndpoint as given, without appending a path', async () => {
    const { emit } = setup({
      endpoint: 'http://127.0.0.1:9/unused',
      tracesEndpoint: `${sink.endpoint}/v1/traces`,
    });
    emit(1);
    await until(() => sink.spans.length === 1);
    expect(sink.requests.map((r) => r.path)).toEqual(['/v1/traces']);
  });

  it('should retry a 503 after its Retry-After, count the retry and deliver the spans once', async () => {
    const { processor, emit } = setup();
    sink.script({ status: 503, retryAfterSeconds: 1 });
    const startedMs = Date.now();
    emit(2);
    await until(() => processor.stats().exported === 2, 5000);
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(950);
    expect([sink.requests.map((r) => r.reply), sink.spans.length]).toEqual([[503, 200], 2]);
    expect(processor.stats()).toEqual({
      exported: 2,
      dropped: NONE,
      retries: 1,
      queueSize: 0,
      queueCapacity: 2048,
    });
  });

  it('should retry a 429 without Retry-After on the backoff schedule', async () => {
    const { processor, emit } = setup();
    sink.script({ status: 429 }, { status: 502 });
    emit(1);
    await until(() => processor.stats().exported === 1);
    expect([sink.requests.map((r) => r.reply), processor.stats().retries]).toEqual([[429, 502, 200], 2]);
  });

  it('should drop a batch the backend rejects with 400 as non_retryable, without retrying', async () => {
    const { processor, emit } = setup();
    sink.script({ status: 400 });
    emit(2);
    await until(() => processor.stats().queueSize === 0 && sink.requests.length === 1);
    expect([sink.spans.length, processor.stats().dropped, processor.stats().retries]).toEqual([
      0,
      { ...NONE, non_retryable: 2 },
      0,
    ]);
  });

  it('should time out a request the backend never answers and retry it', async () => {
    const { processor, emit } = setup({ timeout: '200ms' });
    sink.script('hang');
    emit(1);
    await until(() => processor.stats().exported === 1);
    expect([sink.requests.map((r) => r.reply), processor.stats().retries]).toEqual([['hang', 200], 1]);
  });

  it('should drop a batch as retries_exhausted when the backend stays down past maxElapsedTime', async () => {
    const { processor, emit } = setup({ retry: { ...FAST_RETRY, maxElapsedTime: '300ms' } });
    await sink.stop();
    emit(2);
    await until(() => processor.stats().dropped.retries_exhausted === 2);
    expect(processor.stats().retries).toBeGreaterThanOrEqual(2);
  });
});
