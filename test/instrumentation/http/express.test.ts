import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanStatusCode } from '@opentelemetry/api';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { budgetMiddleware } from '../../../instrumentation/http/express.ts';
import { testHeadroom } from '../../helpers/headroom.ts';
import { ResponseCloses, ROUTE_RULES, seriesCounts } from '../../helpers/http-budgets.ts';

let server: Server | undefined;

afterEach(async () => {
  server?.close();
  server = undefined;
});

/** An Express app as a service writes it, with the middleware before the routes, on 127.0.0.1:0. */
async function serve(setup: ReturnType<typeof testHeadroom>, routes: (app: express.Express) => void) {
  const closes = new ResponseCloses();
  const app = express();
  app.use((_req, res, next) => {
    closes.watch(res);
    next();
  });
  app.use(budgetMiddleware(setup.headroom));
  routes(app);
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, closes };
}

describe('budgetMiddleware (Express)', () => {
  it('should judge each request in its route context from the YAML rules, and only matched routes', async () => {
    const setup = testHeadroom(ROUTE_RULES);
    const { base, closes } = await serve(setup, (app) => {
      app.get('/checkout', (_req, res) => res.send('ok'));
      app.get('/users/:id', (req, res) => res.json({ id: req.params.id }));
      app.get('/status/:code', (req, res) => res.status(Number(req.params.code)).send('x'));
      app.get('/health', (_req, res) => res.send('up'));
    });
    const paths = ['/checkout', '/checkout', '/checkout', '/users/1', '/users/2', '/health', '/nope?x=1'];
    const statuses = [];
    for (const path of paths) statuses.push((await fetch(base + path)).status);
    await closes.waitFor(paths.length);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 404]);
    expect(seriesCounts(setup.headroom)).toEqual([
      { operation: 'GET /checkout', context: 'emergency', count: 3, errors: 0 },
      { operation: 'user', context: 'routine', count: 2, errors: 0 },
    ]);
    const spans = setup.exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual([
      'GET /checkout',
      'GET /checkout',
      'GET /checkout',
      'GET /users/:id',
      'GET /users/:id',
      'GET /health',
      'GET',
    ]);
    expect(spans[3]?.attributes).toEqual({
      'http.request.method': 'GET',
      'url.path': '/users/1',
      'headroom.budget.context': 'routine',
      'headroom.budget.ms': 200,
      'headroom.operation': 'user',
      'headroom.criticality': 'CRITICAL',
      'http.route': '/users/:id',
      'headroom.http.status_class': '2xx',
      'http.response.status_code': 200,
    });
    expect(spans[6]?.attributes).toEqual({
      'http.request.method': 'GET',
      'url.path': '/nope',
      'headroom.criticality': 'CRITICAL',
      'headroom.http.status_class': '4xx',
      'http.response.status_code': 404,
    });
  });

  it('should record the status class of every response and count each 5xx as an error', async () => {
    const setup = testHeadroom(ROUTE_RULES);
    const { base, closes } = await serve(setup, (app) => {
      app.get('/status/:code', (req, res) => res.status(Number(req.params.code)).send('x'));
      app.get('/status/throw/now', () => {
        throw new Error('boom');
      });
    });
    const codes = [200, 204, 302, 404, 429, 500, 503];
    for (const code of codes)
      await (await fetch(`${base}/status/${code}`, { redirect: 'manual' })).arrayBuffer();
    await (await fetch(`${base}/status/throw/now`)).arrayBuffer();
    await closes.waitFor(codes.length + 1);
    expect(seriesCounts(setup.headroom)).toEqual([
      { operation: 'status', context: 'deliberative', count: 8, errors: 3 },
    ]);
    const spans = setup.exporter.getFinishedSpans();
    expect(spans.map((span) => [span.attributes['headroom.http.status_class'], span.status])).toEqual([
      ['2xx', { code: SpanStatusCode.UNSET }],
      ['2xx', { code: SpanStatusCode.UNSET }],
      ['3xx', { code: SpanStatusCode.UNSET }],
      ['4xx', { code: SpanStatusCode.UNSET }],
      ['4xx', { code: SpanStatusCode.UNSET }],
      ['5xx', { code: SpanStatusCode.ERROR, message: 'HTTP 500' }],
      ['5xx', { code: SpanStatusCode.ERROR, message: 'HTTP 503' }],
      ['5xx', { code: SpanStatusCode.ERROR, message: 'HTTP 500' }],
    ]);
    expect(spans[7]?.name).toBe('GET /status/throw/now');
  });

  it('should give route handlers the budget of their route on req.headroom', async () => {
    const setup = testHeadroom(ROUTE_RULES);
    let seen: unknown;
    const { base, closes } = await serve(setup, (app) => {
      app.get('/checkout', (req, res) => {
        const budget = req.headroom;
        const remainingMs = budget.remainingMs();
        seen = {
          route: budget.route,
          context: budget.context,
          operation: budget.operation,
          budgetMs: budget.budgetMs(),
          remaining: remainingMs > 0 && remainingMs <= 50,
          aborted: budget.signal.aborted,
          span: budget.span.spanContext().spanId,
        };
        res.send('ok');
      });
    });
    await (await fetch(`${base}/checkout`)).text();
    await closes.waitFor(1);
    expect(seen).toEqual({
      route: '/checkout',
      context: 'emergency',
      operation: 'GET /checkout',
      budgetMs: 50,
      remaining: true,
      aborted: false,
      span: setup.exporter.getFinishedSpans()[0]?.spanContext().spanId,
    });
  });

  it('should abort req.headroom.signal at the hard deadline (budget x 2) on the agent clock', async () => {
    const setup = testHeadroom(ROUTE_RULES);
    const agentTimers = setup.clock.pendingTimers;
    let armed: () => void = () => {};
    const signalRead = new Promise<void>((resolve) => {
      armed = resolve;
    });
    let reason: unknown;
    const { base, closes } = await serve(setup, (app) => {
      app.get('/checkout', async (req, res) => {
        const { signal } = req.headroom;
        armed();
        await once(signal, 'abort');
        reason = signal.reason;
        res.status(504).send('over budget');
      });
    });
    const response = fetch(`${base}/checkout`);
    await signalRead;
    setup.clock.advance(99);
    expect(reason).toBeUndefined();
    setup.clock.advance(1);
    expect((await response).status).toBe(504);
    await closes.waitFor(1);
    expect((reason as DOMException).name).toBe('TimeoutError');
    expect(seriesCounts(setup.headroom)).toEqual([
      { operation: 'GET /checkout', context: 'emergency', count: 1, errors: 1 },
    ]);
    expect(setup.clock.pendingTimers).toBe(agentTimers);
  });

  it('should abort req.headroom.signal when the client disconnects', async () => {
    const setup = testHeadroom(ROUTE_RULES);
    const agentTimers = setup.clock.pendingTimers;
    let started: () => void = () => {};
    const handlerStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    let aborted: Promise<unknown> = Promise.resolve();
    const { base, closes } = await serve(setup, (app) => {
      app.get('/users/:id', (req) => {
        const { signal } = req.headroom;
        aborted = once(signal, 'abort').then(() => signal.reason);
        started();
      });
    });
    const client = new AbortController();
    const response = fetch(`${base}/users/7`, { signal: client.signal }).catch((error: unknown) => error);
    await handlerStarted;
    client.abort();
    await response;
    await closes.waitFor(1);
    expect(((await aborted) as DOMException).name).toBe('AbortError');
    expect(seriesCounts(setup.headroom)).toEqual([
      { operation: 'user', context: 'routine', count: 1, errors: 0 },
    ]);
    expect(setup.exporter.getFinishedSpans()[0]?.attributes['headroom.http.status_class']).toBeUndefined();
    expect(setup.clock.pendingTimers).toBe(agentTimers);
  });

  it('should leave a request no rule matches unjudged: no context, no deadline', async () => {
    const setup = testHeadroom(ROUTE_RULES);
    const agentTimers = setup.clock.pendingTimers;
    let seen: unknown;
    const { base, closes } = await serve(setup, (app) => {
      app.get('/health', (req, res) => {
        const budget = req.headroom;
        seen = [
          budget.context,
          budget.operation,
          budget.route,
          budget.budgetMs(),
          budget.remainingMs(),
          budget.signal.aborted,
        ];
        res.send('up');
      });
    });
    await (await fetch(`${base}/health`)).text();
    await closes.waitFor(1);
    const infinite = Number.POSITIVE_INFINITY;
    expect(seen).toEqual([undefined, 'GET /health', '/health', infinite, infinite, false]);
    expect(setup.clock.pendingTimers).toBe(agentTimers);
    expect(seriesCounts(setup.headroom)).toEqual([]);
  });
});
