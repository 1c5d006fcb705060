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

  it.each([
    [{ protocol: 'grpc' }, 'traces', 'http://localhost:4317'],
    [{ protocol: 'grpc' }, 'metrics', 'http://localhost:4317'],
    [
      { protocol: 'grpc', endpoint: 'https://otel.example.com:4317' },
      'traces',
      'https://otel.example.com:4317',
    ],
    [
      { protocol: 'grpc', endpoint: 'http://a:4317', tracesEndpoint: 'http://b:4317' },
      'traces',
      'http://b:4317',
    ],
    [
      { protocol: 'grpc', endpoint: 'http://a:4317', tracesEndpoint: 'http://b:4317' },
      'metrics',
      'http://a:4317',
    ],
    [{ protocol: 'grpc', metricsEndpoint: 'http://m:4317' }, 'metrics', 'http://m:4317'],
    [{ protocol: 'http/json' }, 'traces', 'http://localhost:4318/v1/traces'],
  ] as const)(
    'should resolve %j for %s to %s, as-is over gRPC (default port 4317)',
    (config, signal, url) => {
      expect(resolveOtlpUrl(config, signal)).toBe(url);
    },
  );
});
