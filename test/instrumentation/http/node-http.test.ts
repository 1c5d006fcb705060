import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../errors.ts';
import {
  type BudgetListenerOptions,
  budgetListener,
  requestBudget,
} from '../../../instrumentation/http/http.ts';
import { testHeadroom } from '../../helpers/headroom.ts';
import { ResponseCloses, ROUTE_RULES, seriesCounts } from '../../helpers/http-budgets.ts';

let server: Server | undefined;

afterEach(() => {
  server?.close();
  server = undefined;
});

type Listener = (request: IncomingMessage, response: ServerResponse) => void;

/** A node:http server whose listener is wrapped by budgetListener, on 127.0.0.1:0. */
async function serve(
  setup: ReturnType<typeof testHeadroom>,
  listener: Listener,
  options?: BudgetListenerOptions,
) {
  const closes = new ResponseCloses();
  const tracked = budgetListener(setup.headroom, listener, options);
  server = createServer((request, response) => {
    closes.watch(response);
    tracked(request, response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, closes };
}

/** Answers with the status in `?status=` (200 by default) and what requestBudget(req) says. */
const answer: Listener = (request, response) => {
  const budget = requestBudget(request);
  response.statusCode = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('status') ?? 200);
  response.end(JSON.stringify([budget?.route ?? null, budget?.context ?? null, budget?.budgetMs() ?? null]));
};

async function get(url: string): Promise<[number, unknown]> {
  const response = await fetch(url, { redirect: 'manual' });
  return [response.status, JSON.parse(await response.text())];
}

describe('budgetListener (node:http)', () => {
  it('should name routes by the templates given and judge each in its context from the YAML rules', async () => {
    const setup = testHeadroom(ROUTE_RULES);
    const { base, closes } = await serve(setup, answer, { routes: ['/checkout', '/users/:id', '/status/*'] });
    const answers = [];
    for (const path of [
      '/checkout',
      '/checkout?x=1',
      '/users/5',
      '/users/5/orders',
      '/status/a/b?status=503',
      '/status/c?status=404',
      '/',
    ]) {
      answers.push(await get(base + path));
    }
    await closes.waitFor(7);
    expect(answers).toEqual([
      [200, ['/checkout', 'emergency', 50]],
      [200, ['/checkout', 'emergency', 50]],
      [200, ['/users/:id', 'routine', 200]],
      [200, [null, null, null]],
      [503, ['/status/*', 'deliberative', 1000]],
      [404, ['/status/*', 'deliberative', 1000]],
      [200, [null, null, null]],
    ]);
    expect(seriesCounts(setup.headroom)).toEqual([
      { operation: 'GET /checkout', context: 'emergency', count: 2, errors: 0 },
      { operation: 'status', context: 'deliberative', count: 2, errors: 1 },
      { operation: 'user', context: 'routine', count: 1, errors: 0 },
    ]);
    const spans = setup.exporter.getFinishedSpans();
    expect(
      spans.map((span) => [span.name, span.attributes['headroom.http.status_class'], span.status.code]),
    ).toEqual([
      ['GET /checkout', '2xx', SpanStatusCode.UNSET],
      ['GET /checkout', '2xx', SpanStatusCode.UNSET],
      ['GET /users/:id', '2xx', SpanStatusCode.UNSET],
      ['GET', '2xx', SpanStatusCode.UNSET],
      ['GET /status/*', '5xx', SpanStatusCode.ERROR],
      ['GET /status/*', '4xx', SpanStatusCode.UNSET],
      ['GET', '2xx', SpanStatusCode.UNSET],
    ]);
  });

  it('should take the route from a route function, which wins over templates; a throwing one gives no route', async () => {
    const setup = testHeadroom(ROUTE_RULES);
    const route = (request: IncomingMessage) => {
      if (request.url === '/boom') throw new Error('route function failed');
      return request.url?.startsWith('/u/') ? '/users/:id' : undefined;
    };
    const { base, closes } = await serve(setup, answer, { route, routes: ['/checkout'] });
    const answers = [await get(`${base}/u/1`), await get(`${base}/checkout`), await get(`${base}/boom`)];
    await closes.waitFor(3);
    expect(answers).toEqual([
      [200, ['/users/:id', 'routine', 200]],
      [200, [null, null, null]],
      [200, [null, null, null]],
    ]);
    expect(seriesCounts(setup.headroom)).toEqual([
      { operation: 'user', context: 'routine', count: 1, errors: 0 },
    ]);
  });

  it('should abort the signal at the hard deadline on the agent clock, and at a client disconnect', async () => {
    const setup = testHeadroom(ROUTE_RULES);
    const agentTimers = setup.clock.pendingTimers;
    const reasons: Promise<unknown>[] = [];
    let started: () => void = () => {};
    let handlerStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const { base, closes } = await serve(
      setup,
      (request, response) => {
        const signal = requestBudget(request)?.signal as AbortSignal;
        const reason = once(signal, 'abort').then(() => (signal.reason as DOMException).name);
        reasons.push(reason);
        void reason.then((name) => response.writableEnded || response.destroyed || response.end(name));
        started();
      },
      { routes: ['/checkout'] },
    );
    const timedOut = fetch(`${base}/checkout`);
    await handlerStarted;
    setup.clock.advance(100);
    expect(await (await timedOut).text()).toBe('TimeoutError');
    handlerStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const client = new AbortController();
    const dropped = fetch(`${base}/checkout`, { signal: client.signal }).catch((error: unknown) => error);
    await handlerStarted;
    client.abort();
    await dropped;
    await closes.waitFor(2);
    expect(await Promise.all(reasons)).toEqual(['TimeoutError', 'AbortError']);
    expect(seriesCounts(setup.headroom)).toEqual([
      { operation: 'GET /checkout', context: 'emergency', count: 2, errors: 0 },
    ]);
    expect(setup.clock.pendingTimers).toBe(agentTimers);
  });

  it('should track a request once when listeners are wrapped twice', async () => {
    const setup = testHeadroom(ROUTE_RULES);
    const inner = budgetListener(setup.headroom, answer, { routes: ['/users/:id'] });
    const { base, closes } = await serve(setup, inner, { routes: ['/checkout'] });
    expect(await get(`${base}/checkout`)).toEqual([200, ['/checkout', 'emergency', 50]]);
    await closes.waitFor(1);
    expect(setup.exporter.getFinishedSpans().map((span) => span.name)).toEqual(['GET /checkout']);
    expect(seriesCounts(setup.headroom)).toEqual([
      { operation: 'GET /checkout', context: 'emergency', count: 1, errors: 0 },
    ]);
  });

  it('should refuse what start() did not return and route templates that do not start with /', () => {
    const setup = testHeadroom(ROUTE_RULES);
    const fake = { ...setup.headroom } as unknown as typeof setup.headroom;
    expect(() => budgetListener(fake, answer)).toThrow(
      new InvalidArgumentError('headroom', 'budgetListener: expects the Headroom that start() returned'),
    );
    expect(() => budgetListener(setup.headroom, answer, { routes: ['users/:id'] })).toThrow(
      'budgetListener: route templates start with "/", got "users/:id"',
    );
    expect(requestBudget({} as IncomingMessage)).toBeUndefined();
  });
});
