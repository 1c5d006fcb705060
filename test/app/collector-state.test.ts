// Collector mode with a store: SLO histories, a firing alert, the windows and the service directory
// are restored before the receiver and the decision API open, and nothing pages twice.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../agent/index.ts';
import type { Collector } from '../../app/collector.ts';
import { startTestCollector } from '../helpers/collector.ts';

const SERIES = { namespace: 'payments', service: 'checkout', operation: 'pay', context: 'routine' };

function yaml(path: string): string[] {
  return [
    'receiver: { port: 0, grpc: { port: 0 } }',
    'exporters: { prometheus: { enabled: false } }',
    'api: { port: 0, anonymous: [read] }',
    `storage: { path: ${path}, checkpointInterval: 5s, lockTimeout: 100ms }`,
    'slos: [{ name: checkout-latency, context: routine, objective: 99% }]',
    'alerting: { channels: [], rules: [{ name: checkout-burn, kind: burnRate, slo: checkout-latency }] }',
  ];
}

/** One OTLP/JSON span of `service` in `namespace` ending at `endMs`. */
function spanBody(endMs: number): string {
  const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);
  const attribute = (key: string, value: string) => ({ key, value: { stringValue: value } });
  return JSON.stringify({
    resourceSpans: [
      {
        resource: {
          attributes: [attribute('service.name', 'checkout'), attribute('service.namespace', 'payments')],
        },
        scopeSpans: [
          {
            spans: [
              {
                traceId: '5b8efff798038103d269b633813fc60c',
                spanId: '0000000000001000',
                name: 'pay',
                kind: 2,
                startTimeUnixNano: ns(endMs - 100),
                endTimeUnixNano: ns(endMs),
                attributes: [
                  attribute('headroom.budget.context', 'routine'),
                  attribute('headroom.operation', 'pay'),
                ],
              },
            ],
          },
        ],
      },
    ],
  });
}

/** `minutes` of traffic, 10 operations a second, `failed` of them errors. */
function drive(clock: ManualClock, collector: Collector, minutes: number, failed: number): void {
  const handle = collector.agent.series(SERIES);
  for (let s = 0; s < minutes * 60; s++) {
    for (let i = 0; i < 10; i++) handle.record(100, i < failed, clock.now() - 1 - i);
    clock.advance(1000);
  }
}

describe('collector mode with a store', () => {
  it('should restore SLOs, the firing alert, the windows and the directory before it listens', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'headroom-collector-state-')), 'state.db');
    const clock = new ManualClock(Date.now());
    const first = await startTestCollector(yaml(path), { clock });
    const sent = await fetch(`${first.collector.receiver.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: spanBody(clock.now()),
    });
    expect(sent.status).toBe(200);
    drive(clock, first.collector, 10, 0);
    drive(clock, first.collector, 5, 5);
    const { alerting, agent } = first.collector;
    const firing = alerting.alerts.firing();
    expect(firing.map((alert) => alert.status)).toEqual(['firing']);
    const slos = alerting.slos.list();
    const windows = agent.registry.list().map((series) => series.window.snapshot(clock.now()));
    await first.collector.shutdown();
    const second = await startTestCollector(yaml(path), { clock });
    const restored = second.log.messages().find((message) => message.startsWith('state restored'));
    expect(restored).toMatch(/ 1 SLO histories, 1 alert instances, 1 services$/);
    // Restored before the first listener: the receiver's announcement comes after.
    const order = second.log.messages().map((message) => message.split(' ')[0]);
    expect(order.indexOf('state')).toBeLessThan(order.indexOf('receiving'));
    expect(second.collector.alerting.alerts.firing()).toEqual(firing);
    expect(second.collector.alerting.slos.list()).toEqual(slos);
    expect(
      second.collector.agent.registry.list().map((series) => series.window.snapshot(clock.now())),
    ).toEqual(windows);
    const services = await fetch(`${second.collector.api?.url}/api/v1/services`);
    expect(
      ((await services.json()) as { services: { service: string }[] }).services.map((s) => s.service),
    ).toEqual(['checkout']);
    const events: string[] = [];
    second.collector.alerting.alerts.onAlert((event) => events.push(event.status));
    drive(clock, second.collector, 1, 5);
    expect(events).toEqual([]); // still firing: not sent again
    await second.collector.shutdown();
  });
});
