import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  connectDirectory,
  type DecisionApi,
  ServiceDirectory,
  startDecisionApi,
} from '../../../collector/index.ts';
import { testAgent } from '../../helpers/agent.ts';
import { IDLE_CLASSES, openStream, TOKENS } from './setup.ts';

const api = {
  port: 0,
  tokens: [{ name: 'reader', token: TOKENS.reader, scopes: ['read' as const] }],
};
let server: DecisionApi | undefined;
const streams: Awaited<ReturnType<typeof openStream>>[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) await stream.close();
  await server?.close();
  server = undefined;
});

async function start(saturation?: () => readonly string[]) {
  const { agent, clock } = testAgent({ api, limits: { idleTime: '1m' } });
  const directory = new ServiceDirectory({ limits: agent.registry.limits });
  connectDirectory(agent, directory);
  server = await startDecisionApi({ agent, directory, config: agent.config.api, saturation });
  const get = async (path: string) => {
    const response = await fetch(`${server?.url}${path}`);
    return [response.status, response.headers.get('retry-after'), await response.json()];
  };
  return { agent, clock, directory, get };
}

describe('/-/ready and saturation', () => {
  it('should answer 503 with every reason while saturated and 200 once it is not, /-/healthy staying 200', async () => {
    let reasons = [
      'heap 600.0 MiB is over receiver.maxMemory (512.0 MiB)',
      '1000 services known, limits.services is 1000',
    ];
    const { agent, get } = await start(() => reasons);
    agent.tick();

    expect(await get('/-/ready')).toEqual([
      503,
      '5',
      {
        error: {
          code: 'saturated',
          message:
            'saturated: heap 600.0 MiB is over receiver.maxMemory (512.0 MiB); 1000 services known, limits.services is 1000',
        },
      },
    ]);
    expect(await get('/-/healthy')).toEqual([200, null, { status: 'healthy' }]);
    reasons = [];
    expect(await get('/-/ready')).toEqual([200, null, { status: 'ready' }]);
  });
});

describe('eviction on the decision stream', () => {
  it('should send a final state event marked evicted when an idle service is forgotten', async () => {
    const { agent, clock, directory } = await start();
    directory.note('checkout', 'payments', clock.now());
    const sinceMs = clock.now();
    agent.degradation('checkout', 'payments');
    const stream = await openStream(`${server?.url}/api/v1/decisions/stream`, {
      authorization: `Bearer ${TOKENS.reader}`,
    });
    streams.push(stream);
    await vi.waitFor(() => expect(stream.events).toHaveLength(3));

    clock.advance(60_000);
    agent.tick();
    await vi.waitFor(() => expect(stream.events).toHaveLength(5));

    expect(stream.parsed()[3]).toEqual([
      'state',
      'payments/checkout:0',
      {
        service: 'checkout',
        namespace: 'payments',
        level: 'NONE',
        overridden: false,
        since: sinceMs,
        disabledFeatures: [],
        evicted: true,
        instanceId: agent.instanceId,
      },
    ]);
    // Its admission goes with it: every probability back to 0.
    expect(stream.parsed()[4]).toEqual([
      'admission-state',
      'payments/checkout:0',
      {
        namespace: 'payments',
        service: 'checkout',
        enabled: true,
        classes: IDLE_CLASSES,
        lastDecision: null,
        retryAfterMs: 1000,
        evicted: true,
        instanceId: agent.instanceId,
      },
    ]);
    expect([agent.services(), directory.list()]).toEqual([[], []]);
  });
});
