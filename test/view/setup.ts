/**
 * A seeded live view on a real embedded view listener (127.0.0.1:0) over a ManualClock agent:
 * payments/checkout (quote/emergency 40 ms, browse/routine 100 ms), search/search (query/routine,
 * too few samples), an SLO on routine, one modifier, the feature levels of examples/headroom.yaml.
 */
import { connectAlerting, SloTracker } from '../../agent/index.ts';
import { startViewListener } from '../../app/view-listener.ts';
import type { HeadroomConfigInput } from '../../config/index.ts';
import { recordMany, testAgent } from '../helpers/agent.ts';

export const TOKENS = {
  reader: 'reader-token-0123456789',
  paymentsOps: 'payments-ops-token-0123456789',
  overrideOnly: 'override-only-token-0123456789',
};

const SCENARIO: HeadroomConfigInput = {
  degradation: {
    levels: {
      minimal: { disable: ['recommendations'] },
      moderate: { disable: ['personalization'] },
    },
  },
  adaptive: { modifiers: { 'black-friday': { factor: 1.5, contexts: ['deliberative'] } } },
  slos: [{ name: 'checkout-latency', context: 'routine', objective: '99%' }],
  receiver: {
    tokens: [{ name: 'payments-sender', token: 'payments-sender-0123456789', namespace: 'payments' }],
  },
  api: {
    tokens: [
      { name: 'reader', token: TOKENS.reader, scopes: ['read'] },
      {
        name: 'payments-ops',
        token: TOKENS.paymentsOps,
        scopes: ['read', 'override'],
        namespace: 'payments',
      },
      { name: 'override-only', token: TOKENS.overrideOnly, scopes: ['override'] },
    ],
    maxStreamsPerToken: 2,
  },
  ui: { enabled: true, port: 0, history: { resolution: '10s', length: '30s' } },
};

/** Starts the seeded view; `close()` it (afterEach). */
export async function startSeededView(input: HeadroomConfigInput = {}) {
  const { agent, clock } = testAgent({ ...SCENARIO, ...input });
  const slos = new SloTracker({
    config: agent.config,
    clock,
    baseBudgetMs: (series) => agent.targets.of(series)?.baseBudgetMs,
  });
  const disconnect = connectAlerting(agent, { slos });
  const listener = await startViewListener(agent, agent.config, slos);
  return {
    agent,
    clock,
    slos,
    url: listener.url,
    historyRings: () => listener.history.size,
    historyBytes: () => listener.history.bytes,
    async close() {
      disconnect();
      await listener.close();
    },
    get: (path: string, token?: string) =>
      fetch(
        `${listener.url}${path}`,
        token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
      ),
  };
}

/** The standard traffic, recorded at the clock's now. */
export function recordTraffic(
  agent: Parameters<typeof recordMany>[0],
  clock: Parameters<typeof recordMany>[1],
) {
  const checkout = { namespace: 'payments', service: 'checkout' };
  recordMany(agent, clock, { ...checkout, operation: 'quote', context: 'emergency' }, 40, 100);
  recordMany(agent, clock, { ...checkout, operation: 'browse', context: 'routine' }, 100, 50);
  recordMany(
    agent,
    clock,
    { namespace: 'search', service: 'search', operation: 'query', context: 'routine' },
    100,
    5,
  );
}
