// The same small service in node:http, Express and Fastify, for the admission tests: each route
// answers what the handler sees of its request's class (requestBudget / req.headroom, and the
// active baggage), so a test asks every framework the same questions.

import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation } from '@opentelemetry/api';
import express from 'express';
import Fastify from 'fastify';
import { afterEach } from 'vitest';
import type { HeadroomConfigInput } from '../../config/index.ts';
import { budgetMiddleware } from '../../instrumentation/http/express.ts';
import { budgetPlugin } from '../../instrumentation/http/fastify.ts';
import { budgetListener, requestBudget } from '../../instrumentation/http/http.ts';
import type { AdmissionOptions } from '../../instrumentation/http/request-admission.ts';
import type { EmbeddedHeadroom } from '../../instrumentation/index.ts';
import { ResponseCloses } from './http-budgets.ts';

export const FRAMEWORKS = ['node:http', 'express', 'fastify'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** Contexts and rules giving routes classes: by context, by rule (which wins), and none. */
export const CLASS_RULES: HeadroomConfigInput = {
  contexts: {
    emergency: { budget: '50ms', percentile: 'p95', criticality: 'CRITICAL_PLUS' },
    batch: { budget: '1s', percentile: 'p95', criticality: 'SHEDDABLE' },
  },
  rules: [
    { match: { kind: 'server', attributes: { 'http.route': '/checkout' } }, context: 'emergency' },
    { match: { kind: 'server', attributes: { 'http.route': '/reports/:id' } }, context: 'batch' },
    {
      match: { kind: 'server', attributes: { 'http.route': '/search' } },
      context: 'emergency',
      criticality: 'SHEDDABLE_PLUS',
    },
    { match: { kind: 'server', attributes: { 'http.route': '/users/:id' } }, context: 'routine' },
  ],
};

const ROUTES = ['/checkout', '/reports/:id', '/search', '/users/:id', '/health'];

/** What every handler answers: the class it runs in, as the middleware and the baggage say. */
export interface Seen {
  readonly criticality: string | undefined;
  readonly baggage: string | undefined;
}

function seen(criticality: string | undefined): Seen {
  const baggage = propagation.getBaggage(context.active())?.getEntry('headroom.criticality')?.value;
  return { criticality, baggage };
}

/** A running service: its base URL, its response closes, and how to stop it. */
export interface Served {
  readonly base: string;
  readonly closes: ResponseCloses;
  /** Handler calls so far. */
  readonly calls: () => number;
  close(): Promise<void>;
}

/** Serves ROUTES with `framework` and `options` on `host`:0 (`::` for dual stack). */
export async function serveClasses(
  framework: Framework,
  headroom: EmbeddedHeadroom,
  options: AdmissionOptions<IncomingMessage> = {},
  host = '127.0.0.1',
): Promise<Served> {
  const closes = new ResponseCloses();
  let calls = 0;
  const answer = (response: ServerResponse, criticality: string | undefined) => {
    calls++;
    response.setHeader('content-type', 'application/json; charset=utf-8');
    response.end(JSON.stringify(seen(criticality)));
  };
  if (framework === 'fastify') {
    const app = Fastify();
    app.addHook('onRequest', (_request, reply, done) => {
      closes.watch(reply.raw);
      done();
    });
    await app.register(budgetPlugin(headroom, options as AdmissionOptions<unknown>));
    for (const route of ROUTES)
      app.get(route, async (request, reply) => {
        calls++;
        return reply.type('application/json').send(JSON.stringify(seen(request.headroom.criticality)));
      });
    const address = await app.listen({ port: 0, host });
    return { base: local(address), closes, calls: () => calls, close: () => app.close() };
  }
  let listener: (request: IncomingMessage, response: ServerResponse) => void;
  if (framework === 'express') {
    const app = express();
    app.use(budgetMiddleware(headroom, options as AdmissionOptions<unknown>));
    for (const route of ROUTES)
      app.get(route, (request, response) => answer(response, request.headroom.criticality));
    listener = app;
  } else {
    listener = budgetListener(
      headroom,
      (request, response) => answer(response, requestBudget(request)?.criticality),
      {
        ...options,
        routes: ROUTES,
      },
    );
  }
  const server = createServer((request, response) => {
    closes.watch(response);
    listener(request, response);
  });
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    closes,
    calls: () => calls,
    close: async () => {
      server.close();
    },
  };
}

/** Fastify reports `http://[::]:port` or `http://127.0.0.1:port`; the client dials IPv4 loopback. */
function local(address: string): string {
  return `http://127.0.0.1:${new URL(address).port}`;
}

/**
 * {@link serveClasses} for one service at a time: each call closes the previous service, and the
 * last one is closed after each test. Call once at a test file's top level (it registers the
 * `afterEach`).
 */
export function servePerTest(): typeof serveClasses {
  let served: Served | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });
  return async (...args) => {
    await served?.close();
    served = await serveClasses(...args);
    return served;
  };
}
