/**
 * What a service tells the next hop about a request's class (review15f H1): the class it judged,
 * after its own trust rule, on every path the work can take through it; never an outside client's
 * claim it did not vet, which a next hop trusting this service would otherwise take as is.
 * Real servers on loopback: the backends trust 127.0.0.1 (this service), so whatever class the
 * edge forwards is taken as is there.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { budgetListener, requestBudget } from '../../../instrumentation/http/http.ts';
import { Hops } from '../../helpers/hops.ts';

const hops = new Hops();
const TRUSTS_LOOPBACK: HeadroomConfigInput = { criticality: { trustedPeers: ['127.0.0.1'] } };
const headroom = hops.headroom.bind(hops);
const listen = hops.listen.bind(hops);

/** A call to `url` from the active context, its headers injected by the global propagator. */
async function call(url: string): Promise<string> {
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  return (await fetch(url, { headers })).text();
}

/** The context the server instrumentation (or a consumer) extracts from an incoming carrier. */
function extracted(headers: IncomingMessage['headers'] | Record<string, string>) {
  return propagation.extract(context.active(), headers);
}

const CLAIMS = ['(none)', 'CRITICAL_PLUS', 'CRITICAL', 'SHEDDABLE_PLUS', 'SHEDDABLE', 'banana'] as const;
/** The class a trusting backend takes, for each claim, when the edge forwards the claim as it took it. */
const AS_TAKEN = ['CRITICAL', 'CRITICAL', 'CRITICAL', 'SHEDDABLE_PLUS', 'SHEDDABLE', 'CRITICAL'];

let edges: Record<string, string> = {};

beforeAll(async () => {
  // This service registers Headroom's SDK (its propagator); the others share the process's globals.
  const edge = headroom('edge', {}, true);
  const edgeTrustingClient = headroom('edge-trusting', TRUSTS_LOOPBACK, false);
  const backend = await listen(
    budgetListener(headroom('backend', TRUSTS_LOOPBACK, false), (request, response) => {
      response.end(requestBudget(request)?.criticality);
    }),
  );
  // A hop of your own with the middleware, trusting the edge, that calls the backend in turn.
  const middle = await listen(
    budgetListener(headroom('middle', TRUSTS_LOOPBACK, false), async (request, response) => {
      response.end(`${requestBudget(request)?.criticality} > ${await call(backend)}`);
    }),
  );
  const forward = (target: string) => async (_request: IncomingMessage, response: ServerResponse) =>
    response.end(await call(target));
  const noMiddleware =
    (work: (target: string) => Promise<string>, target = backend) =>
    async (request: IncomingMessage, response: ServerResponse) =>
      response.end(await context.with(extracted(request.headers), () => work(target)));
  // A queue: the client's headers travel in a message; the consumer extracts them, then calls on.
  const queue: Array<{ headers: Record<string, string> }> = [];
  const consume = async () => {
    const message = queue.shift()!;
    return context.with(extracted(message.headers), () => call(backend));
  };
  edges = {
    'the HTTP middleware': await listen(budgetListener(edge, forward(backend))),
    'the HTTP middleware, the client trusted': await listen(
      budgetListener(edgeTrustingClient, forward(backend)),
    ),
    'no middleware': await listen(noMiddleware(call)),
    'no middleware, after admit()': await listen(
      noMiddleware(async (target) => `${edge.admit().criticality} -> ${await call(target)}`),
    ),
    'track() only': await listen(
      noMiddleware((target) => edge.track('forward', 'routine', () => call(target))),
    ),
    'withCriticality(SHEDDABLE_PLUS)': await listen(
      noMiddleware((target) => edge.withCriticality('SHEDDABLE_PLUS', () => call(target))),
    ),
    'withCriticality(CRITICAL_PLUS)': await listen(
      noMiddleware((target) => edge.withCriticality('CRITICAL_PLUS', () => call(target))),
    ),
    'a queue consumer': await listen(async (request, response) => {
      queue.push({ headers: { baggage: String(request.headers.baggage ?? '') } });
      response.end(await consume());
    }),
    'no middleware, two trusting hops behind': await listen(noMiddleware(call, middle)),
    'withCriticality(CRITICAL_PLUS), two trusting hops behind': await listen(
      noMiddleware((target) => edge.withCriticality('CRITICAL_PLUS', () => call(target)), middle),
    ),
  };
});

afterAll(() => hops.close());

/** What the trusting hops behind `edge` answer for each claim an outside client sends it. */
async function classesBehind(edge: string): Promise<string[]> {
  const answers = [];
  for (const claim of CLAIMS) {
    const headers: Record<string, string> =
      claim === '(none)' ? {} : { baggage: `tenant=acme,headroom.criticality=${claim}` };
    answers.push(await (await fetch(edges[edge]!, { headers })).text());
  }
  return answers;
}

describe('the class a service forwards to a hop that trusts it', () => {
  it.each([
    ['the HTTP middleware', AS_TAKEN],
    ['the HTTP middleware, the client trusted', ['CRITICAL', 'CRITICAL_PLUS', ...AS_TAKEN.slice(2)]],
    ['no middleware', AS_TAKEN],
    ['no middleware, after admit()', AS_TAKEN.map((c) => `${c} -> ${c}`)],
    ['track() only', AS_TAKEN],
    ['withCriticality(SHEDDABLE_PLUS)', CLAIMS.map(() => 'SHEDDABLE_PLUS')],
    ['withCriticality(CRITICAL_PLUS)', CLAIMS.map(() => 'CRITICAL_PLUS')],
    ['a queue consumer', AS_TAKEN],
    ['no middleware, two trusting hops behind', AS_TAKEN.map((c) => `${c} > ${c}`)],
    [
      'withCriticality(CRITICAL_PLUS), two trusting hops behind',
      CLAIMS.map(() => 'CRITICAL_PLUS > CRITICAL_PLUS'),
    ],
  ])('should be the class judged at the edge through %s', async (edge, expected) => {
    expect(await classesBehind(edge)).toEqual(expected);
  });
});
