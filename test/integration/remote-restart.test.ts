import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../agent/clock.ts';
import type { Collector } from '../../app/collector.ts';
import { connectDecisions, type RemoteDecisions } from '../../instrumentation/remote/index.ts';
import { startTestCollector } from '../helpers/collector.ts';
import { otlpJsonTraces } from '../helpers/spans.ts';

const collectors: Collector[] = [];
const clients: RemoteDecisions[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const collector of collectors.splice(0)) await collector.shutdown(2000);
  vi.restoreAllMocks();
});

/** A collector whose decision API listens on `apiPort` (0: any), on a manual clock, nothing exported. */
async function startCollector(apiPort: number): Promise<{ collector: Collector; clock: ManualClock }> {
  const clock = new ManualClock(Date.now());
  const { collector } = await startTestCollector(
    [
      'receiver: { port: 0, grpc: { port: 0 } }',
      `api: { port: ${apiPort}, anonymous: [read] }`,
      'exporters: { prometheus: { enabled: false } }',
      'degradation:',
      '  levels:',
      '    minimal: { disable: [recommendations] }',
      '    critical: { disable: [search] }',
      'rules:',
      '  - { match: { attributes: { http.route: /quote } }, context: emergency, operation: quote }',
    ],
    { clock },
  );
  collectors.push(collector);
  return { collector, clock };
}

/** Sends `count` spans of `durationMs` from service `checkout`, ending now, over OTLP/JSON. */
async function traffic(collector: Collector, count: number, durationMs: number): Promise<void> {
  const body = otlpJsonTraces('checkout', count, durationMs);
  const response = await fetch(`${collector.receiver.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  expect(response.status).toBe(200);
}

/** Three evaluation ticks a second apart: enough to escalate (escalation.ticks defaults to 3). */
function tick3(collector: Collector, clock: ManualClock): void {
  for (let i = 0; i < 3; i++) {
    clock.advance(1000);
    collector.agent.tick();
  }
}

describe('remote client across an agent restart', () => {
  it('should drop CRITICAL to NONE when a restarted agent that never saw the service answers', async () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {});
    vi.spyOn(diag, 'info').mockImplementation(() => {});
    const first = await startCollector(0);
    await traffic(first.collector, 30, 200); // 4x the 50 ms emergency budget
    tick3(first.collector, first.clock);
    expect(first.collector.agent.degradation('checkout').level).toBe('CRITICAL');
    const nowMs = 1_800_000_000_000;
    const client = connectDecisions({
      url: first.collector.api!.url,
      service: 'checkout',
      backoff: { initialMs: 10, maxMs: 40 },
      now: () => nowMs,
    });
    clients.push(client);
    await vi.waitFor(() => expect(client.level).toBe('CRITICAL'));
    expect(client.features.enabled('search')).toBe(false);

    const port = first.collector.api!.port;
    await collectors.shift()!.shutdown(2000);
    await vi.waitFor(() => expect(client.connected).toBe(false));
    const second = await startCollector(port);
    // Reconnected before the new agent has heard of the service: it knows nothing to tell.
    await vi.waitFor(() => expect(client.connected).toBe(true));
    await traffic(second.collector, 30, 5); // fast: well within budget
    tick3(second.collector, second.clock);
    expect(second.collector.agent.degradation('checkout').level).toBe('NONE');

    const expected = {
      level: 'NONE',
      disabledFeatures: [],
      connected: true,
      stale: false,
      lastUpdateMs: nowMs,
      lastHeardMs: nowMs,
      agentInstanceId: second.collector.agent.instanceId,
      // The new agent's admission state: nothing shed.
      admission: {
        enabled: true,
        probabilities: { CRITICAL_PLUS: 0, CRITICAL: 0, SHEDDABLE_PLUS: 0, SHEDDABLE: 0 },
        retryAfterMs: 1000,
      },
      // No request decided by this client's admit().
      requests: {
        CRITICAL_PLUS: { admitted: 0, rejected: 0 },
        CRITICAL: { admitted: 0, rejected: 0 },
        SHEDDABLE_PLUS: { admitted: 0, rejected: 0 },
        SHEDDABLE: { admitted: 0, rejected: 0 },
      },
    };
    await vi.waitFor(() => expect(client.state()).toEqual(expected));
    expect(second.collector.agent.instanceId).not.toBe(first.collector.agent.instanceId);
    expect(client.features.enabled('search')).toBe(true);
  });
});
