import { status } from '@grpc/grpc-js';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { createOtlpTraceProcessor, type ResilientSpanProcessor } from '../../../exporters/otlp/index.ts';
import { configOf } from '../../helpers/agent.ts';
import { OtlpGrpcSink } from '../../helpers/otlp-grpc-sink.ts';
import { until } from '../../helpers/otlp-sink.ts';

type OtlpInput = NonNullable<NonNullable<HeadroomConfigInput['exporters']>['otlp']>;
const NONE = { queue_full: 0, retries_exhausted: 0, non_retryable: 0, shutdown: 0 };
const FAST_RETRY = { initialInterval: '20ms', maxInterval: '100ms', maxElapsedTime: '2s' };

let sink: OtlpGrpcSink;
let processor: ResilientSpanProcessor | undefined;
beforeEach(async () => {
  sink = await OtlpGrpcSink.start();
});
afterEach(async () => {
  await processor?.shutdown();
  processor = undefined;
  await sink.stop();
});

function setup(otlp: OtlpInput = {}) {
  const config = configOf({
    exporters: { otlp: { protocol: 'grpc', endpoint: sink.endpoint, retry: FAST_RETRY, ...otlp } },
  });
  processor = createOtlpTraceProcessor(config.exporters.otlp, { scheduledDelayMs: 10 });
  const resource = resourceFromAttributes({ 'service.name': 'checkout' });
  const tracer = new TracerProvider({ resource, spanProcessors: [processor] }).getTracer('headroom-otel');
  const emit = (count: number) => {
    for (let i = 0; i < count; i++)
      tracer.startSpan('quote', { attributes: { 'headroom.budget.ms': 50 } }).end();
  };
  return { processor, emit };
}

describe('createOtlpTraceProcessor over OTLP/gRPC (a real grpc-js server)', () => {
  it.each(['gzip', 'none'] as const)(
    'should call TraceService/Export at the endpoint with the headers as metadata (%s)',
    async (compression) => {
      const { processor, emit } = setup({ compression, headers: { 'X-Tenant': 'team-a' } });
      emit(3);
      await until(() => processor.stats().exported === 3);
      expect(sink.calls).toEqual([{ signal: 'traces', metadata: { 'x-tenant': 'team-a' }, reply: 0 }]);
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

  it('should call the tracesEndpoint, which wins over endpoint', async () => {
    const { processor, emit } = setup({ endpoint: 'http://127.0.0.1:9', tracesEndpoint: sink.endpoint });
    emit(1);
    await until(() => processor.stats().exported === 1);
    expect(sink.calls.map((c) => c.signal)).toEqual(['traces']);
  });

  it('should retry UNAVAILABLE after the RetryInfo delay, count the retry and deliver the spans once', async () => {
    const { processor, emit } = setup();
    sink.script({ code: status.UNAVAILABLE, retryDelayMs: 600 });
    const startedMs = Date.now();
    emit(2);
    await until(() => processor.stats().exported === 2);
    // The backoff alone would have retried after 20 ms.
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(550);
    expect([sink.calls.map((c) => c.reply), sink.spans.length]).toEqual([[status.UNAVAILABLE, 0], 2]);
    expect(processor.stats()).toEqual({
      exported: 2,
      dropped: NONE,
      retries: 1,
      queueSize: 0,
      queueCapacity: 2048,
    });
  });

  it('should retry the codes the OTLP specification names retryable on the backoff schedule', async () => {
    const { processor, emit } = setup();
    const retryable = [
      status.CANCELLED,
      status.DEADLINE_EXCEEDED,
      status.ABORTED,
      status.OUT_OF_RANGE,
      status.DATA_LOSS,
    ];
    sink.script(...retryable.map((code) => ({ code })), {
      code: status.RESOURCE_EXHAUSTED,
      retryDelayMs: 10,
    });
    emit(1);
    await until(() => processor.stats().exported === 1);
    expect([sink.calls.map((c) => c.reply), processor.stats().retries]).toEqual([
      [...retryable, status.RESOURCE_EXHAUSTED, 0],
      6,
    ]);
  });

  it.each([
    status.INVALID_ARGUMENT,
    status.RESOURCE_EXHAUSTED,
    status.UNAUTHENTICATED,
    status.PERMISSION_DENIED,
    status.UNIMPLEMENTED,
  ])('should drop a batch refused with code %s as non_retryable, without retrying', async (code) => {
    const { processor, emit } = setup();
    sink.script({ code });
    emit(2);
    await until(() => processor.stats().queueSize === 0 && sink.calls.length === 1);
    expect([sink.spans.length, processor.stats().dropped, processor.stats().retries]).toEqual([
      0,
      { ...NONE, non_retryable: 2 },
      0,
    ]);
  });

  it('should count the spans a partial success rejected as non_retryable, the rest as exported', async () => {
    const { processor, emit } = setup();
    sink.script({ rejected: 3, message: 'three spans too old' });
    emit(5);
    await until(() => processor.stats().queueSize === 0 && sink.calls.length === 1);
    expect([processor.stats().exported, processor.stats().dropped, processor.stats().retries]).toEqual([
      2,
      { ...NONE, non_retryable: 3 },
      0,
    ]);
  });

  it('should end a call the backend never answers at the timeout (DEADLINE_EXCEEDED) and retry it', async () => {
    const { processor, emit } = setup({ timeout: '200ms' });
    sink.script('hang');
    emit(1);
    await until(() => processor.stats().exported === 1);
    expect([sink.calls.map((c) => c.reply), processor.stats().retries]).toEqual([['hang', 0], 1]);
  });

  it('should retry a backend that is down (connection refused) and drop as retries_exhausted past maxElapsedTime', async () => {
    const down = await OtlpGrpcSink.start();
    const endpoint = down.endpoint;
    await down.stop();
    const { processor, emit } = setup({ endpoint, retry: { ...FAST_RETRY, maxElapsedTime: '300ms' } });
    emit(2);
    await until(() => processor.stats().queueSize === 0, 5000);
    expect([processor.stats().dropped, processor.stats().retries > 0]).toEqual([
      { ...NONE, retries_exhausted: 2 },
      true,
    ]);
  });
});
