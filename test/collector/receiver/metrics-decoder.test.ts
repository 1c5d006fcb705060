import { describe, expect, it } from 'vitest';
import { countDataPointsJson, countDataPointsProtobuf } from '../../../collector/receiver/metrics-decoder.ts';
import { metricsJson, metricsProtobuf, SAMPLE_DATA_POINTS, sampleMetrics } from './metrics-fixtures.ts';

describe('metrics decoding', () => {
  it('should count the data points of what the official serializers write, in both encodings', async () => {
    const metrics = await sampleMetrics();
    expect(countDataPointsProtobuf(metricsProtobuf(metrics))).toEqual({
      ok: true,
      value: SAMPLE_DATA_POINTS,
    });
    expect(countDataPointsJson(metricsJson(metrics))).toEqual({ ok: true, value: SAMPLE_DATA_POINTS });
  });

  it('should count an empty request as no data points', () => {
    expect(countDataPointsProtobuf(new Uint8Array(0))).toEqual({ ok: true, value: 0 });
    expect(countDataPointsJson(Buffer.from('{}'))).toEqual({ ok: true, value: 0 });
  });

  it('should refuse a truncated protobuf request', async () => {
    const body = metricsProtobuf(await sampleMetrics());
    const result = countDataPointsProtobuf(body.subarray(0, body.length - 3));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^malformed protobuf: /);
  });

  it('should refuse JSON of the wrong shape with the path in the reason', () => {
    const json = {
      resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'x', sum: { dataPoints: 3 } }] }] }],
    };
    expect(countDataPointsJson(Buffer.from(JSON.stringify(json)))).toEqual({
      ok: false,
      reason:
        'invalid OTLP JSON: resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints: expected an array',
    });
  });
});
