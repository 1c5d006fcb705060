// The official OTLP exporters, each in a service process of its own, send spans to the receiver;
// the spans must show up in the agent's percentiles and, once slow enough for long enough, in a
// degradation decision for that service.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, ManualClock, RuleMatcher } from '../../agent/index.ts';
import { type OtlpReceiver, startReceiver } from '../../collector/receiver/index.ts';
import { ServiceDirectory } from '../../collector/service-directory.ts';
import { configOf, ScriptedLoad } from '../helpers/agent.ts';

const CLIENT = join(import.meta.dirname, '..', 'helpers', 'otlp-client.ts');
const SPANS = 30;
const SLOW_MS = 120; // against the 50 ms emergency budget: a ratio of 2.4, CRITICAL

/** Runs the client script in its own Node process; resolves with what it printed. */
function runClient(args: string[]): Promise<{ exported: number; failed: number; calls: number }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLIENT, ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`otlp-client failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

describe('receiver with the official OTLP exporters', () => {
  const clock = new ManualClock(Date.now());
  const agent = new Agent({ config: configOf({}), clock, loadSampler: new ScriptedLoad() });
  const directory = new ServiceDirectory();
  const contentTypes: string[] = [];
  let receiver: OtlpReceiver;

  beforeAll(async () => {
    receiver = await startReceiver({
      agent,
      rules: new RuleMatcher(agent.config.rules),
      directory,
      config: { ...agent.config.receiver, port: 0, grpc: { ...agent.config.receiver.grpc, port: 0 } },
      onTraces: (_body, contentType) => void contentTypes.push(contentType),
    });
  });
  afterAll(() => receiver.close());

  it.each([
    ['exporter-trace-otlp-proto', 'checkout-proto', 'proto', 'gzip', 'application/x-protobuf'],
    ['exporter-trace-otlp-http', 'checkout-json', 'http', 'none', 'application/json'],
    ['exporter-trace-otlp-grpc', 'checkout-grpc', 'grpc', 'none', 'application/x-protobuf'],
    ['exporter-trace-otlp-grpc (gzip)', 'checkout-grpc-gzip', 'grpc', 'gzip', 'application/x-protobuf'],
  ])(
    'should take %s spans into the series percentiles and degrade the slow service',
    async (_, service, protocol, compression, contentType) => {
      contentTypes.length = 0;
      const sent = await runClient([
        protocol === 'grpc' ? `http://${receiver.grpcAddress}` : receiver.url,
        service,
        protocol,
        String(SPANS),
        String(SLOW_MS),
        compression,
      ]);
      // BatchSpanProcessor with maxExportBatchSize 10: three requests.
      expect(sent).toEqual({ exported: SPANS, failed: 0, calls: 3 });
      expect(contentTypes).toEqual([contentType, contentType, contentType]);
      clock.advance(Math.max(0, Date.now() - clock.now())); // the spans ended on the wall clock

      const series = agent.registry.list().filter((s) => s.service === service);
      expect(series.map((s) => [s.operation, s.context, s.phase])).toEqual([['quote', 'emergency', '']]);
      const snapshot = series[0]!.window.snapshot(clock.now());
      expect(snapshot.count).toBe(SPANS);
      expect(snapshot.p95).toBeGreaterThan(SLOW_MS * 0.99);
      expect(snapshot.p95).toBeLessThan(SLOW_MS * 1.01);
      expect(directory.get({ namespace: 'shop', service })?.namespace).toBe('shop');

      const levels: string[] = [];
      for (let tick = 0; tick < 3; tick++) {
        clock.advance(1000);
        agent.tick();
        levels.push(agent.degradation(service, 'shop').level);
      }
      expect(levels).toEqual(['NONE', 'NONE', 'CRITICAL']);
      expect(agent.degradation(service, 'shop').auditLog.entries()[0]).toMatchObject({
        reason: 'escalation',
        evidence: { series: { service, operation: 'quote', context: 'emergency', phase: '' } },
      });
    },
  );
});
