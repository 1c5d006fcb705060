import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { budgetMiddleware } from '../../../instrumentation/http/express.ts';
import { budgetPlugin } from '../../../instrumentation/http/fastify.ts';
import { budgetListener, requestBudget } from '../../../instrumentation/http/http.ts';
import { testHeadroom } from '../../helpers/headroom.ts';
import { ResponseCloses, ROUTE_RULES, seriesCounts } from '../../helpers/http-budgets.ts';

let server: Server | undefined;

afterEach(() => {
  server?.close();
  server = undefined;
});

async function listen(
  listener: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<string> {
  server = createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('request tracking', () => {
  it('should give Express routes whose path is not a string (a list, a RegExp) no template', async () => {
    const { headroom, exporter } = testHeadroom(ROUTE_RULES);
    const closes = new ResponseCloses();
    const app = express();
    app.use((_req, res, next) => {
      closes.watch(res);
      next();
    });
    app.use(budgetMiddleware(headroom));
    app.get(['/checkout', '/pay'], (req, res) => res.send(String(Array.isArray(req.route.path))));
    const base = await listen(app);
    expect(await (await fetch(`${base}/checkout`)).text()).toBe('true');
    await closes.waitFor(1);
    expect(exporter.getFinishedSpans().map((span) => [span.name, span.attributes['http.route']])).toEqual([
      ['GET', undefined],
    ]);
    expect(seriesCounts(headroom)).toEqual([]);
  });

  it('should arm no timer for a budget past the longest timer, and survive a failure at the response end', async () => {
    const setup = testHeadroom({
      contexts: { batch: { budget: '30d', hardDeadlineFactor: 1 } },
      rules: [{ match: { kind: 'server', attributes: { 'http.route': '/export' } }, context: 'batch' }],
    });
    const agentTimers = setup.clock.pendingTimers;
    const closes = new ResponseCloses();
    const listener = budgetListener(
      setup.headroom,
      (request, response) => {
        const budget = requestBudget(request);
        const armed = [budget?.signal.aborted, setup.clock.pendingTimers - agentTimers];
        response.end(JSON.stringify(armed));
        // Broken after the response: finishing the tracking fails (logged), the server goes on.
        Object.defineProperty(response, 'writableFinished', {
          get() {
            throw new Error('broken response');
          },
        });
      },
      {
        routes: ['/export'],
        route: (request) => (request.url === '/export' ? '/export' : (42 as unknown as string)),
      },
    );
    const base = await listen((request, response) => {
      closes.watch(response);
      listener(request, response);
    });
    expect(await (await fetch(`${base}/export`)).json()).toEqual([false, 0]);
    expect(await (await fetch(`${base}/other`)).json()).toEqual([false, 0]);
    await closes.waitFor(2);
    expect(setup.exporter.getFinishedSpans()).toEqual([]);
  });

  it('should name an Express route by its mount path and route path, also when the route fails', async () => {
    const { headroom, exporter } = testHeadroom({
      rules: [
        { match: { kind: 'server', attributes: { 'http.route': '/api/orders/:id' } }, context: 'routine' },
      ],
      evaluation: { minSamples: 1 },
    });
    const closes = new ResponseCloses();
    const api = express.Router();
    api.get('/orders/:id', (req, res) => {
      if (req.params.id === 'bad') throw new Error('no such order');
      res.send('ok');
    });
    const app = express();
    app.use((_req, res, next) => {
      closes.watch(res);
      next();
    });
    app.use(budgetMiddleware(headroom));
    app.use('/api', api);
    const base = await listen(app);
    const statuses = [];
    for (const id of ['1', 'bad']) statuses.push((await fetch(`${base}/api/orders/${id}`)).status);
    await closes.waitFor(2);
    expect(statuses).toEqual([200, 500]);
    expect(exporter.getFinishedSpans().map((span) => [span.name, span.attributes['http.route']])).toEqual([
      ['GET /api/orders/:id', '/api/orders/:id'],
      ['GET /api/orders/:id', '/api/orders/:id'],
    ]);
    expect(seriesCounts(headroom)).toEqual([
      { operation: 'GET /api/orders/:id', context: 'routine', count: 2, errors: 1 },
    ]);
  });

  it('should track a request once when the middleware is registered twice (app and router)', async () => {
    const { headroom, exporter } = testHeadroom(ROUTE_RULES);
    const closes = new ResponseCloses();
    const users = express.Router();
    users.use(budgetMiddleware(headroom));
    users.get('/users/:id', (req, res) => res.send(req.headroom.context));
    const app = express();
    app.use((_req, res, next) => {
      closes.watch(res);
      next();
    });
    app.use(budgetMiddleware(headroom));
    app.use(users);
    const base = await listen(app);
    expect(await (await fetch(`${base}/users/1`)).text()).toBe('routine');
    await closes.waitFor(1);
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['GET /users/:id']);
    expect(seriesCounts(headroom)).toEqual([{ operation: 'user', context: 'routine', count: 1, errors: 0 }]);
  });

  it('should arm a signal read before routing once Express has routed the request', async () => {
    const setup = testHeadroom(ROUTE_RULES);
    const agentTimers = setup.clock.pendingTimers;
    const closes = new ResponseCloses();
    let beforeRouting: unknown;
    let routed: () => void = () => {};
    const inHandler = new Promise<void>((resolve) => {
      routed = resolve;
    });
    const app = express();
    app.use((_req, res, next) => {
      closes.watch(res);
      next();
    });
    app.use(budgetMiddleware(setup.headroom));
    app.use((req, _res, next) => {
      const { context, route, operation } = req.headroom;
      beforeRouting = [context, route, operation, req.headroom.budgetMs(), req.headroom.signal.aborted];
      next();
    });
    app.get('/checkout', async (req, res) => {
      const { signal } = req.headroom;
      routed();
      await once(signal, 'abort');
      res.status(503).send((signal.reason as DOMException).name);
    });
    const base = await listen(app);
    const response = fetch(`${base}/checkout`);
    await inHandler;
    expect(setup.clock.pendingTimers).toBe(agentTimers + 1);
    setup.clock.advance(100);
    expect(await (await response).text()).toBe('TimeoutError');
    await closes.waitFor(1);
    expect(beforeRouting).toEqual([undefined, undefined, 'GET', Number.POSITIVE_INFINITY, false]);
  });

  it('should keep budgets and signals but start no spans when OpenTelemetry is disabled', async () => {
    const setup = testHeadroom(ROUTE_RULES, { env: { OTEL_SDK_DISABLED: 'true' } });
    const closes = new ResponseCloses();
    const listener = budgetListener(
      setup.headroom,
      (request, response) => {
        const budget = requestBudget(request);
        response.end(JSON.stringify([budget?.context, budget?.budgetMs(), budget?.span.isRecording()]));
      },
      { routes: ['/checkout'] },
    );
    const base = await listen((request, response) => {
      closes.watch(response);
      listener(request, response);
    });
    const body = await (await fetch(`${base}/checkout`)).json();
    await closes.waitFor(1);
    expect(body).toEqual(['emergency', 50, false]);
    expect(setup.exporter.getFinishedSpans()).toEqual([]);
    expect(seriesCounts(setup.headroom)).toEqual([]);
  });

  it('should let a request through untracked when tracking it fails, in every middleware', async () => {
    const { headroom } = testHeadroom(ROUTE_RULES);
    // A response that cannot be listened to: tracking fails (logged), the handler still runs.
    const request = { method: 'GET', url: '/checkout', headers: {} } as IncomingMessage;
    const response = {} as ServerResponse;
    const ran: string[] = [];
    budgetListener(headroom, () => ran.push('http'), { routes: ['/checkout'] })(request, response);
    const expressRequest = request as express.Request;
    budgetMiddleware(headroom)(expressRequest, response as express.Response, () => ran.push('express'));
    expect(ran).toEqual(['http', 'express']);
    expect(requestBudget(request)).toBeUndefined();
    expect(expressRequest.headroom).toBeUndefined();

    const app = Fastify();
    app.addHook('onRequest', (request, _reply, done) => {
      // Not a string: reading its path fails inside the tracking.
      Object.defineProperty(request.raw, 'url', { value: 42 });
      done();
    });
    await app.register(budgetPlugin(headroom));
    app.get('/checkout', async (request) => ({ budget: request.headroom?.context ?? null }));
    const answer = await app.inject({ method: 'GET', url: '/checkout' });
    expect(answer.json()).toEqual({ budget: null });
    await app.close();
  });
});
