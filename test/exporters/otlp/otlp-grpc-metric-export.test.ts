import { status } from '@grpc/grpc-js';
import { ValueType } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  InstrumentType,
  MeterProvider,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { GrpcMetricExporter } from '../../../exporters/otlp/grpc-metric-exporter.ts';
import { createOtlpMetricReader } from '../../../exporters/otlp/index.ts';
import { configOf } from '../../helpers/agent.ts';
import { OtlpGrpcSink } from '../../helpers/otlp-grpc-sink.ts';

type OtlpInput = NonNullable<NonNullable<HeadroomConfigInput['exporters']>['otlp']>;
const resource = resourceFromAttributes({ 'service.name': 'checkout' });

let sink: OtlpGrpcSink;
let provider: MeterProvider | undefined;
beforeEach(async () => {
  sink = await OtlpGrpcSink.start();
});
afterEach(async () => {
  await provider?.shutdown();
  provider = undefined;
  await sink.stop();
});

function setup(otlp: OtlpInput = {}) {
  const config = configOf({ exporters: { otlp: { protocol: 'grpc', endpoint: sink.endpoint, ...otlp } } });
  const reader = createOtlpMetricReader(config.exporters.otlp);
  provider = new MeterProvider({ resource, readers: [reader] });
  provider.getMeter('app').createCounter('app_requests_total').add(2);
  return { reader };
}

/** One cumulative counter point, as a reader collects it. */
function oneCounter(value: number): ResourceMetrics {
  const now: [number, number] = [Math.floor(Date.now() / 1000), 0];
  return {
    resource,
    scopeMetrics: [
      {
        scope: { name: 'headroom-otel' },
        metrics: [
          {
            descriptor: {
              name: 'headroom_operations_total',
              description: '',
              unit: '',
              valueType: ValueType.INT,
            },
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.SUM,
            isMonotonic: true,
            dataPoints: [{ startTime: now, endTime: now, attributes: {}, value }],
          },
        ],
      },
    ],
  };
}

function exported(exporter: GrpcMetricExporter, metrics: ResourceMetrics): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(metrics, resolve));
}

describe('createOtlpMetricReader over OTLP/gRPC (the official exporter, a real grpc-js server)', () => {
  it.each(['gzip', 'none'] as const)(
    'should call MetricsService/Export at the endpoint, cumulative, with the headers as metadata (%s)',
    async (compression) => {
      const { reader } = setup({ compression, headers: { Authorization: 'Bearer t' } });
      await reader.forceFlush();
      expect(sink.calls).toEqual([{ signal: 'metrics', metadata: { authorization: 'Bearer t' }, reply: 0 }]);
      expect(
        sink.metrics.map((m) => [m.name, m.type, m.temporality, m.resource['service.name'], m.points]),
      ).toEqual([['app_requests_total', 'sum', 2, 'checkout', [{ attributes: {}, value: 2 }]]]);
    },
  );

  it('should call the metricsEndpoint, which wins over endpoint', async () => {
    const { reader } = setup({ endpoint: 'http://127.0.0.1:9', metricsEndpoint: sink.endpoint });
    await reader.forceFlush();
    expect(sink.calls.map((c) => c.signal)).toEqual(['metrics']);
  });

  it('should push on shutdown', async () => {
    setup();
    await provider?.shutdown();
    provider = undefined;
    expect(sink.metrics.map((m) => m.name)).toEqual(['app_requests_total']);
  });
});

describe('GrpcMetricExporter', () => {
  const options = () => ({ url: sink.endpoint, headers: {}, compression: 'none' as const, timeoutMs: 2000 });

  it('should answer cumulative temporality before the official exporter is loaded', () => {
    const exporter = new GrpcMetricExporter(options());
    expect(
      [InstrumentType.COUNTER, InstrumentType.HISTOGRAM, InstrumentType.UP_DOWN_COUNTER].map((type) =>
        exporter.selectAggregationTemporality(type),
      ),
    ).toEqual([
      AggregationTemporality.CUMULATIVE,
      AggregationTemporality.CUMULATIVE,
      AggregationTemporality.CUMULATIVE,
    ]);
  });

  it('should report a refused export as failed and the next one as a success', async () => {
    const exporter = new GrpcMetricExporter(options());
    sink.script({ code: status.INVALID_ARGUMENT });
    const refused = await exported(exporter, oneCounter(1));
    const accepted = await exported(exporter, oneCounter(2));
    await exporter.shutdown();
    expect([refused.code, accepted.code, sink.metrics.map((m) => m.points)]).toEqual([
      ExportResultCode.FAILED,
      ExportResultCode.SUCCESS,
      [[{ attributes: {}, value: 2 }]],
    ]);
  });

  it('should flush and shut down without loading anything when it never exported, then fail exports', async () => {
    const exporter = new GrpcMetricExporter(options());
    await exporter.forceFlush();
    await exporter.shutdown();
    const result = await exported(exporter, oneCounter(1));
    expect([result.code, result.error?.message, sink.calls]).toEqual([
      ExportResultCode.FAILED,
      'OTLP/gRPC metric exporter is shut down',
      [],
    ]);
  });
});
