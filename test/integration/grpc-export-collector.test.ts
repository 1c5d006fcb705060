import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '../../app/collector.ts';
import { startEmbedded } from '../../app/start.ts';
import { createOtlpTraceProcessor } from '../../exporters/otlp/index.ts';
import type { EmbeddedHeadroom } from '../../instrumentation/index.ts';
import { configOf, ScriptedLoad } from '../helpers/agent.ts';
import { startTestCollector } from '../helpers/collector.ts';
import { OtlpSink, until } from '../helpers/otlp-sink.ts';
import { checkMetrics } from './helpers/prometheus.ts';

const OPERATIONS = 1500;

let collector: Collector | undefined;
let service: EmbeddedHeadroom | undefined;
let backend: OtlpSink | undefined;
afterEach(async () => {
  await service?.shutdown();
  await collector?.shutdown(2000);
  await backend?.stop();
  collector = service = backend = undefined;
});

describe.each(['gzip', 'none'] as const)(
  "an embedded service exporting over OTLP/gRPC (%s) to Headroom's own gRPC receiver",
  (compression) => {
    it('should be judged span for span and have its metrics forwarded point for point', async () => {
      backend = await OtlpSink.start();
      const started = await startTestCollector([
        'receiver: { port: 0, grpc: { port: 0 } }',
        'api: { enabled: false }',
        'exporters:',
        '  prometheus: { port: 0 }',
        `  otlp: { endpoint: "${backend.endpoint}", compression: none }`,
      ]);
      collector = started.collector;
      const endpoint = `http://${collector.receiver.grpcAddress}`;
      service = startEmbedded({
        config: {
          service: { name: 'checkout' },
          exporters: { prometheus: { enabled: false }, otlp: { protocol: 'grpc', endpoint, compression } },
        },
        env: {},
        registerGlobal: false,
        loadSampler: new ScriptedLoad(),
      });
      for (let i = 0; i < OPERATIONS; i++) service.track('quote', 'emergency', () => i);
      await service.shutdown(); // flushes the span queue and pushes the metrics once more
      service = undefined;

      const stats = collector.receiver.stats();
      expect([stats.spansReceived, stats.spansRejected, stats.refused]).toEqual([
        OPERATIONS,
        0,
        Object.fromEntries(Object.keys(stats.refused).map((reason) => [reason, 0])),
      ]);
      if (!collector.prometheus?.listening) throw new Error('metrics endpoint not listening');
      const text = await (await fetch(collector.prometheus.url)).text();
      expect(text).toContain(`headroom_receiver_spans_total ${OPERATIONS}`);
      expect(text).toContain(
        `headroom_operations_total{service="checkout",operation="quote",context="emergency"} ${OPERATIONS}`,
      );
      expect(checkMetrics(text)).toEqual({ status: 0, output: '' });

      // Forwarded on over OTLP/HTTP: every span, and every metric data point the service pushed.
      await until(() => backend?.spans.length === OPERATIONS, 10_000, 'forwarded spans');
      const received = collector.receiver.stats().dataPointsReceived;
      const forwarded = () => backend?.metrics.reduce((sum, metric) => sum + metric.points.length, 0);
      await until(() => received > 0 && forwarded() === received, 10_000, 'forwarded data points');
      const pushed = backend.metrics.find((metric) => metric.name === 'headroom_operations_total');
      expect([pushed?.resource['service.name'], pushed?.points]).toEqual([
        'checkout',
        [
          {
            attributes: { service: 'checkout', operation: 'quote', context: 'emergency' },
            value: OPERATIONS,
          },
        ],
      ]);
    });
  },
);

describe("span export over OTLP/gRPC to Headroom's own receiver with receiver.tokens", () => {
  const TOKEN = 'payments-sender-0123456789';

  function exporter(endpoint: string, headers: Record<string, string>) {
    const config = configOf({
      exporters: { otlp: { protocol: 'grpc', endpoint, headers, retry: { initialInterval: '20ms' } } },
    });
    const processor = createOtlpTraceProcessor(config.exporters.otlp, { scheduledDelayMs: 10 });
    const tracer = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'checkout' }),
      spanProcessors: [processor],
    }).getTracer('headroom-otel');
    const emit = (count: number) => {
      for (let i = 0; i < count; i++)
        tracer.startSpan('quote', { attributes: { 'headroom.budget.context': 'emergency' } }).end();
    };
    return { processor, emit };
  }

  it('should deliver with the bearer token as metadata and drop as non_retryable (UNAUTHENTICATED) without it', async () => {
    const started = await startTestCollector([
      'receiver:',
      '  port: 0',
      '  grpc: { port: 0 }',
      `  tokens: [{ name: payments, token: ${TOKEN}, namespace: payments }]`,
      'api: { enabled: false }',
      'exporters: { prometheus: { enabled: false } }',
    ]);
    collector = started.collector;
    const endpoint = `http://${collector.receiver.grpcAddress}`;
    const allowed = exporter(endpoint, { Authorization: `Bearer ${TOKEN}` });
    const anonymous = exporter(endpoint, {});
    allowed.emit(40);
    anonymous.emit(7);
    await Promise.all([allowed.processor.forceFlush(), anonymous.processor.forceFlush()]);
    await Promise.all([allowed.processor.shutdown(), anonymous.processor.shutdown()]);
    const none = { queue_full: 0, retries_exhausted: 0, non_retryable: 0, shutdown: 0 };
    expect([allowed.processor.stats(), anonymous.processor.stats()]).toEqual([
      { exported: 40, dropped: none, retries: 0, queueSize: 0, queueCapacity: 2048 },
      { exported: 0, dropped: { ...none, non_retryable: 7 }, retries: 0, queueSize: 0, queueCapacity: 2048 },
    ]);
    expect([
      collector.receiver.stats().spansReceived,
      collector.receiver.stats().refused.unauthorized,
    ]).toEqual([40, 1]);
  });
});
