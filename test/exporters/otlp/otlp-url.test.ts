import { describe, expect, it } from 'vitest';
import { resolveOtlpUrl } from '../../../exporters/otlp/index.ts';

describe('resolveOtlpUrl', () => {
  it.each([
    [{}, 'traces', 'http://localhost:4318/v1/traces'],
    [{}, 'metrics', 'http://localhost:4318/v1/metrics'],
    [{ endpoint: 'http://jaeger:4318' }, 'traces', 'http://jaeger:4318/v1/traces'],
    [{ endpoint: 'http://jaeger:4318/' }, 'metrics', 'http://jaeger:4318/v1/metrics'],
    [
      { endpoint: 'https://otel.example.com/tenant-a' },
      'traces',
      'https://otel.example.com/tenant-a/v1/traces',
    ],
    [{ endpoint: 'http://a:4318', tracesEndpoint: 'http://b:4318/custom' }, 'traces', 'http://b:4318/custom'],
    [
      { endpoint: 'http://a:4318', tracesEndpoint: 'http://b:4318/custom' },
      'metrics',
      'http://a:4318/v1/metrics',
    ],
    [
      { metricsEndpoint: 'http://m:9090/api/v1/otlp/v1/metrics' },
      'metrics',
      'http://m:9090/api/v1/otlp/v1/metrics',
    ],
  ] as const)('should resolve %j for %s to %s', (config, signal, url) => {
    expect(resolveOtlpUrl(config, signal)).toBe(url);
  });
});
