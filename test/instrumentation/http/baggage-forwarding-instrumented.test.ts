/**
 * A service with @opentelemetry/instrumentation-http and track() only (README "Use it in a
 * service"): the instrumentation extracts the incoming baggage and injects it into outbound
 * node:http calls through the global propagator, Headroom's. The next hop, which trusts this
 * service, gets the class this service judged, not the client's claim (review15f H1).
 */
import type * as Http from 'node:http';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetListener, requestBudget } from '../../../instrumentation/http/http.ts';
import type { EmbeddedHeadroom } from '../../../instrumentation/index.ts';
import { Hops } from '../../helpers/hops.ts';

const instrumentation = new HttpInstrumentation({ enabled: false });
const hops = new Hops();
let edgeUrl = '';
/** node:http as the instrumentation patched it (ESM named imports keep the unpatched functions). */
let http: typeof Http;

function headroom(name: string, trustedPeers: string[], registerGlobal: boolean): EmbeddedHeadroom {
  return hops.headroom(name, { criticality: { trustedPeers } }, registerGlobal);
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
  const backend = await hops.listen(
    http.createServer(
      budgetListener(headroom('backend', ['127.0.0.1'], false), (request, response) => {
        response.end(requestBudget(request)?.criticality);
      }),
    ),
  );
  edgeUrl = await hops.listen(
    http.createServer(async (_request, response) => {
      response.end(await edge.track('forward', 'routine', () => httpGet(backend)));
    }),
  );
});

afterAll(async () => {
  instrumentation.disable();
  await hops.close();
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
