// Collector mode over OTLP/gRPC, end to end: the official @opentelemetry/exporter-trace-otlp-grpc,
// in a service process of its own, sends 2,000 spans of known durations to `headroom agent`'s
// gRPC listener; the collector's real Prometheus exposition counts exactly 2,000 operations and
// its decision API shows the percentiles of those durations. The same with gzip; a malformed
// message gets INVALID_ARGUMENT and the collector keeps serving.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../agent/index.ts';
import type { Collector } from '../../app/collector.ts';
import { exportCall } from '../collector/receiver/grpc-client.ts';
import { startTestCollector } from '../helpers/collector.ts';

const CLIENT = join(import.meta.dirname, '..', 'helpers', 'otlp-client.ts');
const INVALID_ARGUMENT = 3;

/**
 * 2,000 durations, ms, with plateaus around each percentile's rank so that every percentile
 * definition (nearest rank, interpolated) lands on one value: ranks 0-1199 take 20 ms (p50, rank
 * ~999.5), 1200-1849 40 ms (p90, ~1799), 1850-1949 80 ms (p95, ~1899), 1950-1989 160 ms (p99,
 * ~1979), 1990-1999 320 ms (p99.9, ~1998).
 */
const PLAN = '20x1200,40x650,80x100,160x40,320x10';
const SPANS = 2000;
const EXPECTED_MS = { p50: 20, p90: 40, p95: 80, p99: 160, 'p99.9': 320 } as const;
/** DDSketch's relative accuracy (1 %) around each expected value. */
const ACCURACY = 0.01;

/** Runs the official gRPC exporter in its own Node process; resolves with what it printed. */
function runClient(address: string, service: string, compression: 'gzip' | 'none') {
  const args = [CLIENT, `http://${address}`, service, 'grpc', String(SPANS), PLAN, compression, '100'];
  return new Promise<{ exported: number; failed: number; calls: number }>((resolve, reject) => {
    execFile(process.execPath, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`otlp-client failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

describe('collector mode with the official OTLP/gRPC exporter', () => {
  const clock = new ManualClock(Date.now());
  let collector: Collector;
  let address: string;
  /** Export calls the clients made, all runs together. */
  let calls = 0;

  beforeAll(async () => {
    const started = await startTestCollector(
      [
        'receiver: { port: 0, grpc: { port: 0 } }',
        'api: { port: 0, anonymous: [read] }',
        'exporters: { prometheus: { port: 0 } }',
      ],
      { clock },
    );
    collector = started.collector;
    address = collector.receiver.grpcAddress ?? '';
  });
  afterAll(() => collector.shutdown(2000));

  /** The collector's exposition lines that start with `prefix`. */
  async function exposition(prefix: string): Promise<string[]> {
    if (!collector.prometheus?.listening) throw new Error('metrics endpoint not listening');
    const text = await (await fetch(collector.prometheus.url)).text();
    return text.split('\n').filter((line) => line.startsWith(prefix));
  }

  /** The collector's exposition line of `service`'s quote operation. */
  async function operationsTotal(service: string): Promise<string | undefined> {
    const lines = await exposition('headroom_operations_total{');
    return lines.find((line) => line.includes(`"${service}"`));
  }

  /** Runs a client and checks it exported every span, in 20 calls of 100. */
  async function send(service: string, compression: 'gzip' | 'none'): Promise<void> {
    expect(await runClient(address, service, compression)).toEqual({ exported: SPANS, failed: 0, calls: 20 });
    calls += 20;
  }

  /** The decision API's view of `service`'s one series. */
  async function seriesOf(service: string) {
    const url = `${collector.api?.url}/api/v1/namespaces/shop/services/${service}`;
    const response = await fetch(url);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      series: { count: number; latencyMs: Record<string, number> }[];
    };
    expect(body.series).toHaveLength(1);
    return body.series[0]!;
  }

  it.each(['none', 'gzip'] as const)(
    'should count exactly 2,000 spans (compression %s) and show their percentiles',
    async (compression) => {
      const service = `checkout-${compression}`;
      await send(service, compression);
      // The spans ended on the wall clock: the window is read once the collector's clock is there too
      // (a span ending after the clock's now is in a slot the window does not show yet).
      clock.advance(Math.max(0, Date.now() - clock.now()));

      expect(await operationsTotal(service)).toBe(
        `headroom_operations_total{service="${service}",service_namespace="shop",operation="quote",context="emergency"} ${SPANS}`,
      );
      const series = await seriesOf(service);
      expect(series.count).toBe(SPANS);
      for (const [percentile, ms] of Object.entries(EXPECTED_MS)) {
        expect(Math.abs(series.latencyMs[percentile]! - ms), percentile).toBeLessThanOrEqual(ms * ACCURACY);
      }
    },
  );

  it('should answer a malformed message with INVALID_ARGUMENT and keep serving', async () => {
    const malformed = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]); // length past the end
    const outcome = await exportCall(address, malformed);
    expect(outcome).toMatchObject({ code: INVALID_ARGUMENT, retryDelayMs: undefined });
    expect(collector.receiver.stats().refused.bad_request).toBe(1);

    const service = 'checkout-after';
    await send(service, 'none');
    clock.advance(Math.max(0, Date.now() - clock.now()));
    expect((await seriesOf(service)).count).toBe(SPANS);
    expect(await exposition('headroom_receiver_requests_total{')).toEqual([
      'headroom_receiver_requests_total{transport="http"} 0',
      `headroom_receiver_requests_total{transport="grpc"} ${calls + 1}`,
    ]);
    const badRequests = await exposition('headroom_receiver_refused_requests_total{reason="bad_request"');
    expect(badRequests).toEqual([
      'headroom_receiver_refused_requests_total{reason="bad_request",transport="http"} 0',
      'headroom_receiver_refused_requests_total{reason="bad_request",transport="grpc"} 1',
    ]);
  });
});
