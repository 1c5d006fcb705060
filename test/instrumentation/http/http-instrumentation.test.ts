// With @opentelemetry/instrumentation-http active, the request's server span is the
// instrumentation's: the middleware sets the request-level headroom.budget.* attributes on it
// instead of starting a second one, so each request is one span and one sample.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { budgetMiddleware } from '../../../instrumentation/http/express.ts';
import { budgetPlugin } from '../../../instrumentation/http/fastify.ts';
import { budgetListener } from '../../../instrumentation/http/http.ts';
import { testHeadroom } from '../../helpers/headroom.ts';
import { ResponseCloses, ROUTE_RULES, seriesCounts } from '../../helpers/http-budgets.ts';

const instrumentation = new HttpInstrumentation({ enabled: false });
let close: (() => Promise<void>) | undefined;

beforeAll(() => {
  instrumentation.enable();
  // The instrumentation patches node:http when it is required (a service loads it with
  // --import); here it was loaded before, so require it once more.
  createRequire(import.meta.url)('node:http');
});

afterAll(() => instrumentation.disable());

afterEach(async () => {
  await close?.();
  close = undefined;
});

function setup() {
  const headroom = testHeadroom(ROUTE_RULES);
  instrumentation.setTracerProvider(headroom.headroom.tracerProvider!);
  return headroom;
}

async function listening(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  close = async () => {
    server.close();
  };
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The server spans: scope, name, the budget attributes, http.route, status class, status code. */
function serverSpans(spans: readonly ReadableSpan[]) {
  return spans
    .filter((span) => span.kind === SpanKind.SERVER)
    .map((span) => [
      span.instrumentationScope.name,
      span.name,
      span.attributes['headroom.budget.context'],
      span.attributes['headroom.budget.ms'],
      span.attributes['headroom.operation'],
      span.attributes['http.route'],
      span.attributes['headroom.http.status_class'],
      span.status.code,
    ]);
}

const HTTP = '@opentelemetry/instrumentation-http';
const EXPECTED = [
  [HTTP, 'GET /checkout', 'emergency', 50, 'GET /checkout', '/checkout', '2xx', SpanStatusCode.UNSET],
  [HTTP, 'GET /users/:id', 'routine', 200, 'user', '/users/:id', '2xx', SpanStatusCode.UNSET],
  [HTTP, 'GET /status/:code', 'deliberative', 1000, 'status', '/status/:code', '5xx', SpanStatusCode.ERROR],
];
const COUNTS = [
  { operation: 'GET /checkout', context: 'emergency', count: 1, errors: 0 },
  { operation: 'status', context: 'deliberative', count: 1, errors: 1 },
  { operation: 'user', context: 'routine', count: 1, errors: 0 },
];

async function requests(base: string, closes: ResponseCloses): Promise<void> {
  for (const path of ['/checkout', '/users/1', '/status/502']) await (await fetch(base + path)).arrayBuffer();
  await closes.waitFor(3);
}

describe('the middleware beside @opentelemetry/instrumentation-http', () => {
  it('should set the budget on the instrumentation server span of node:http requests', async () => {
    const { headroom, exporter } = setup();
    const closes = new ResponseCloses();
    const listener = budgetListener(
      headroom,
      (request, response) => {
        response.statusCode = request.url === '/status/502' ? 502 : 200;
        response.end();
      },
      { routes: ['/checkout', '/users/:id', '/status/:code'] },
    );
    const base = await listening(
      createServer((request, response) => {
        closes.watch(response);
        listener(request, response);
      }),
    );
    await requests(base, closes);
    expect(serverSpans(exporter.getFinishedSpans())).toEqual(EXPECTED);
    expect(seriesCounts(headroom)).toEqual(COUNTS);
  });

  it('should set the budget on the instrumentation server span of Express requests', async () => {
    const { headroom, exporter } = setup();
    const closes = new ResponseCloses();
    const app = express();
    app.use((_req, res, next) => {
      closes.watch(res);
      next();
    });
    app.use(budgetMiddleware(headroom));
    app.get('/checkout', (_req, res) => res.send('ok'));
    app.get('/users/:id', (_req, res) => res.send('ok'));
    app.get('/status/:code', (req, res) => res.status(Number(req.params.code)).send('x'));
    await requests(await listening(createServer(app)), closes);
    expect(serverSpans(exporter.getFinishedSpans())).toEqual(EXPECTED);
    expect(seriesCounts(headroom)).toEqual(COUNTS);
  });

  it('should set the budget on the instrumentation server span of Fastify requests', async () => {
    const { headroom, exporter } = setup();
    const closes = new ResponseCloses();
    const app = Fastify();
    app.addHook('onRequest', (_request, reply, done) => {
      closes.watch(reply.raw);
      done();
    });
    await app.register(budgetPlugin(headroom));
    app.get('/checkout', async () => 'ok');
    app.get('/users/:id', async () => 'ok');
    app.get<{ Params: { code: string } }>('/status/:code', async (request, reply) =>
      reply.code(Number(request.params.code)).send('x'),
    );
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    close = () => app.close();
    await requests(base, closes);
    expect(serverSpans(exporter.getFinishedSpans())).toEqual(EXPECTED);
    expect(seriesCounts(headroom)).toEqual(COUNTS);
  });
});
