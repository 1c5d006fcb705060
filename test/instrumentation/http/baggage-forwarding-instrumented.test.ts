/**
 * A service with @opentelemetry/instrumentation-http and track() only (README "Use it in a
 * service"): the instrumentation extracts the incoming baggage and injects it into outbound
 * node:http calls through the global propagator, Headroom's. The next hop, which trusts this
 * service, gets the class this service judged, not the client's claim (review15f H1).
 */
import { once } from 'node:events';
import type * as Http from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../agent/index.ts';
import { budgetListener, requestBudget } from '../../../instrumentation/http/http.ts';
import type { EmbeddedHeadroom } from '../../../instrumentation/index.ts';
import { ScriptedLoad } from '../../helpers/agent.ts';
import { startInstrumented } from '../../helpers/headroom.ts';

const instrumentation = new HttpInstrumentation({ enabled: false });
const servers: Server[] = [];
const headrooms: EmbeddedHeadroom[] = [];
let edgeUrl = '';
/** node:http as the instrumentation patched it (ESM named imports keep the unpatched functions). */
let http: typeof Http;

function headroom(name: string, trustedPeers: string[], registerGlobal: boolean): EmbeddedHeadroom {
  const started = startInstrumented({
    config: { service: { name }, criticality: { trustedPeers } },
    env: {},
    registerGlobal,
    clock: new ManualClock(Date.now()),
    loadSampler: new ScriptedLoad(),
  });
  headrooms.push(started);
  return started;
}

async function listen(server: Server): Promise<string> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A node:http GET (the instrumentation injects its headers); the body. */
async function httpGet(url: string): Promise<string> {
  const response = await new Promise<IncomingMessage>((resolve, reject) =>
    http.get(url, resolve).on('error', reject),
  );
  let body = '';
  for await (const chunk of response) body += chunk;
  return body;
}

beforeAll(async () => {
  const edge = headroom('edge', [], true);
  instrumentation.setTracerProvider(edge.tracerProvider!);
  instrumentation.enable();
  // The instrumentation patches node:http when it is required; it was loaded before, so require it again.
  http = createRequire(import.meta.url)('node:http') as typeof Http;
  const backend = await listen(
    http.createServer(
      budgetListener(headroom('backend', ['127.0.0.1'], false), (request, response) => {
        response.end(requestBudget(request)?.criticality);
      }),
    ),
  );
  edgeUrl = await listen(
    http.createServer(async (_request, response) => {
      response.end(await edge.track('forward', 'routine', () => httpGet(backend)));
    }),
  );
});

afterAll(async () => {
  instrumentation.disable();
  for (const server of servers.splice(0)) server.close();
  for (const started of headrooms.splice(0)) await started.shutdown();
});

describe('track() with the HTTP instrumentation only', () => {
  it('should forward the class it judged: an outside claim lowered to at most CRITICAL, a lower one as is', async () => {
    const answers = [];
    for (const claim of ['CRITICAL_PLUS', 'CRITICAL', 'SHEDDABLE_PLUS', 'SHEDDABLE', 'banana']) {
      const response = await fetch(edgeUrl, { headers: { baggage: `headroom.criticality=${claim}` } });
      answers.push([claim, await response.text()]);
    }
    expect(answers).toEqual([
      ['CRITICAL_PLUS', 'CRITICAL'],
      ['CRITICAL', 'CRITICAL'],
      ['SHEDDABLE_PLUS', 'SHEDDABLE_PLUS'],
      ['SHEDDABLE', 'SHEDDABLE'],
      ['banana', 'CRITICAL'],
    ]);
  });
});
