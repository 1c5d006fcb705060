import { afterEach, describe, expect, it } from 'vitest';
import { startEmbedded as start } from '../../app/start.ts';
import type { EmbeddedHeadroom as Headroom } from '../../instrumentation/index.ts';
import { ScriptedLoad } from '../helpers/agent.ts';
import { freePort } from '../helpers/free-port.ts';
import { OtlpGrpcSink } from '../helpers/otlp-grpc-sink.ts';
import { OtlpSink, until } from '../helpers/otlp-sink.ts';
import { checkMetrics } from '../integration/helpers/prometheus.ts';

let headroom: Headroom | undefined;
let sink: OtlpSink | undefined;
afterEach(async () => {
  await headroom?.shutdown();
  await sink?.stop();
  headroom = sink = undefined;
});

async function scrape(url: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const response = await fetch(url);
      if (response.ok) return await response.text();
    } catch {
      // not listening yet
    }
    // A real listener that starts in its own time: bounded polling (100 x 20 ms).
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no answer from ${url}`);
}

describe('start() with exporters', () => {
  it('should serve Prometheus metrics and ship traces over OTLP as the configuration asks', async () => {
    sink = await OtlpSink.start();
    const port = await freePort();
    headroom = start({
      config: {
        service: { name: 'checkout' },
        exporters: {
          prometheus: { port },
          otlp: { endpoint: sink.endpoint, protocol: 'http/json', compression: 'none' },
        },
      },
      env: {},
      registerGlobal: false,
      loadSampler: new ScriptedLoad(),
    });
    for (let i = 0; i < 5; i++) headroom.track('quote', 'emergency', () => i);
    const text = await scrape(`http://127.0.0.1:${port}/metrics`);
    expect(text).toContain(
      'headroom_operations_total{service="checkout",operation="quote",context="emergency"} 5',
    );
    expect(text).toContain(
      'headroom_operation_duration_seconds_bucket{service="checkout",operation="quote",context="emergency",le="0.05"} 5',
    );
    expect(text).toContain('headroom_exporter_queue_capacity 2048');
    await headroom.shutdown();
    await until(() => sink?.spans.length === 5, 5000, 'spans at the sink');
    expect(sink.spans.map((s) => s.name)).toEqual(['quote', 'quote', 'quote', 'quote', 'quote']);
  });

  it('should export spans and push metrics over OTLP/gRPC with OTEL_EXPORTER_OTLP_PROTOCOL=grpc', async () => {
    const grpcSink = await OtlpGrpcSink.start();
    headroom = start({
      config: { service: { name: 'checkout' }, exporters: { prometheus: { enabled: false } } },
      env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: grpcSink.endpoint },
      registerGlobal: false,
      loadSampler: new ScriptedLoad(),
    });
    for (let i = 0; i < 5; i++) headroom.track('quote', 'emergency', () => i);
    await headroom.shutdown(); // flushes the span queue and pushes the metrics once more
    await grpcSink.stop();
    expect(grpcSink.spans.map((s) => [s.name, s.resource['service.name']])).toEqual(
      Array.from({ length: 5 }, () => ['quote', 'checkout']),
    );
    const operations = grpcSink.metrics.filter((m) => m.name === 'headroom_operations_total');
    expect(operations.at(-1)?.points).toEqual([
      { attributes: { service: 'checkout', operation: 'quote', context: 'emergency' }, value: 5 },
    ]);
    expect(new Set(grpcSink.calls.map((c) => `${c.signal} ${c.reply}`))).toEqual(
      new Set(['traces 0', 'metrics 0']),
    );
  });

  it('should start no exporter when Headroom is disabled', async () => {
    const port = await freePort();
    headroom = start({
      config: { exporters: { prometheus: { port } } },
      env: { OTEL_SDK_DISABLED: 'true' },
      registerGlobal: false,
    });
    expect(headroom.track('quote', 'emergency', () => 1)).toBe(1);
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });
});

describe('start() with SLOs', () => {
  it('should expose each SLO on the Prometheus endpoint, and pass promtool', async () => {
    const port = await freePort();
    headroom = start({
      config: {
        service: { name: 'checkout' },
        exporters: { prometheus: { port } },
        slos: [{ name: 'quote-latency', context: 'emergency', objective: '99%' }],
      },
      env: {},
      registerGlobal: false,
      loadSampler: new ScriptedLoad(),
    });
    for (let i = 0; i < 5; i++) headroom.track('quote', 'emergency', () => i);
    headroom.tick();
    headroom.tick();
    const text = await scrape(`http://127.0.0.1:${port}/metrics`);
    expect(text).toContain('headroom_slo_objective_ratio{slo="quote-latency",service="checkout"} 0.99');
    expect(text).toContain(
      'headroom_slo_error_budget_remaining_ratio{slo="quote-latency",service="checkout"} 1',
    );
    expect(text).toContain('headroom_slo_burn_rate{slo="quote-latency",service="checkout",window="1h"} 0');
    // The 5 operations tracked before the first tick are counted.
    expect(text).toContain(
      'headroom_slo_events_total{slo="quote-latency",service="checkout",outcome="good"} 5',
    );
    expect(text).toContain(
      'headroom_slo_events_total{slo="quote-latency",service="checkout",outcome="bad"} 0',
    );
    expect(text).toMatch(
      /\nheadroom_slo_events_start_time_seconds\{slo="quote-latency",service="checkout"\} \d{10}(\.\d+)?\n/,
    );
    expect(checkMetrics(text)).toEqual({ status: 0, output: '' });
  });
});
