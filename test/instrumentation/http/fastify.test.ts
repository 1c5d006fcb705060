import { once } from 'node:events';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { budgetPlugin } from '../../../instrumentation/http/fastify.ts';
import { testHeadroom } from '../../helpers/headroom.ts';
import { ResponseCloses, ROUTE_RULES, seriesCounts } from '../../helpers/http-budgets.ts';

let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

type Setup = ReturnType<typeof testHeadroom>;

/** A Fastify app with the plugin registered (after `@fastify/otel`'s when given), on 127.0.0.1:0. */
async function serve(
  setup: Setup,
  routes: (app: FastifyInstance) => void,
  otel?: FastifyOtelInstrumentation,
) {
  const closes = new ResponseCloses();
  app = Fastify();
  app.addHook('onRequest', (_request, reply, done) => {
    closes.watch(reply.raw);
    done();
  });
  if (otel !== undefined) await app.register(otel.plugin());
  await app.register(budgetPlugin(setup.headroom));
  routes(app);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return { base, closes };
}

function routes(app: FastifyInstance): void {
  app.get('/checkout', async () => 'ok');
  app.get<{ Params: { id: string } }>('/users/:id', async (request) => ({ id: request.params.id }));
  app.get<{ Params: { code: string } }>('/status/:code', async (request, reply) =>
    reply.code(Number(request.params.code)).send('x'),
  );
  app.get('/status/throw/now', async () => {
    throw new Error('boom');
  });
}

describe('budgetPlugin (Fastify)', () => {
  it('should judge each request in its route context, record status classes and count 5xx as errors', async () => {
    const setup = testHeadroom(ROUTE_RULES);
    const { base, closes } = await serve(setup, routes);
    const paths = [
      '/checkout',
      '/checkout',
      '/users/1',
      '/status/302',
      '/status/404',
      '/status/503',
      '/status/throw/now',
      '/nope',
    ];
    const statuses = [];
    for (const path of paths) {
      const response = await fetch(base + path, { redirect: 'manual' });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    await closes.waitFor(paths.length);
    expect(statuses).toEqual([200, 200, 200, 302, 404, 503, 500, 404]);
    expect(seriesCounts(setup.headroom)).toEqual([
      { operation: 'GET /checkout', context: 'emergency', count: 2, errors: 0 },
      { operation: 'status', context: 'deliberative', count: 4, errors: 2 },
      { operation: 'user', context: 'routine', count: 1, errors: 0 },
    ]);
    const spans = setup.exporter.getFinishedSpans();
    expect(
      spans.map((span) => [span.name, span.attributes['headroom.http.status_class'], span.status.code]),
    ).toEqual([
      ['GET /checkout', '2xx', SpanStatusCode.UNSET],
      ['GET /checkout', '2xx', SpanStatusCode.UNSET],
      ['GET /users/:id', '2xx', SpanStatusCode.UNSET],
      ['GET /status/:code', '3xx', SpanStatusCode.UNSET],
      ['GET /status/:code', '4xx', SpanStatusCode.UNSET],
      ['GET /status/:code', '5xx', SpanStatusCode.ERROR],
      ['GET /status/throw/now', '5xx', SpanStatusCode.ERROR],
      ['GET', '4xx', SpanStatusCode.UNSET],
    ]);
    expect(spans[2]?.attributes).toEqual({
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
  });

  it('should give handlers request.headroom and abort its signal at the hard deadline on the agent clock', async () => {
    const setup = testHeadroom(ROUTE_RULES);
    const agentTimers = setup.clock.pendingTimers;
    let armed: () => void = () => {};
    const signalRead = new Promise<void>((resolve) => {
      armed = resolve;
    });
    let seen: unknown;
    const { base, closes } = await serve(setup, (app) => {
      app.get('/users/:id', async (request, reply) => {
        const budget = request.headroom;
        const { signal } = budget;
        seen = [
          budget.route,
          budget.context,
          budget.operation,
          budget.budgetMs(),
          budget.remainingMs() <= 200,
        ];
        armed();
        await once(signal, 'abort');
        return reply.code(503).send((signal.reason as DOMException).name);
      });
    });
    const response = fetch(`${base}/users/9`);
    await signalRead;
    setup.clock.advance(399);
    setup.clock.advance(1);
    const answer = await response;
    expect([answer.status, await answer.text()]).toEqual([503, 'TimeoutError']);
    await closes.waitFor(1);
    expect(seen).toEqual(['/users/:id', 'routine', 'user', 200, true]);
    expect(seriesCounts(setup.headroom)).toEqual([
      { operation: 'user', context: 'routine', count: 1, errors: 1 },
    ]);
    expect(setup.clock.pendingTimers).toBe(agentTimers);
  });

  it('should judge the server span @fastify/otel starts (registered before it): one span and one sample per request', async () => {
    const setup = testHeadroom(ROUTE_RULES);
    const otel = new FastifyOtelInstrumentation();
    otel.setTracerProvider(setup.headroom.tracerProvider!);
    const { base, closes } = await serve(setup, routes, otel);
    for (const path of ['/checkout', '/users/3', '/status/500'])
      await (await fetch(base + path)).arrayBuffer();
    await closes.waitFor(3);
    expect(seriesCounts(setup.headroom)).toEqual([
      { operation: 'GET /checkout', context: 'emergency', count: 1, errors: 0 },
      { operation: 'status', context: 'deliberative', count: 1, errors: 1 },
      { operation: 'user', context: 'routine', count: 1, errors: 0 },
    ]);
    const servers = setup.exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER);
    const seen = servers.map((span) => [
      span.instrumentationScope.name,
      span.name,
      span.attributes['headroom.budget.context'],
      span.attributes['headroom.operation'],
      span.attributes['headroom.http.status_class'],
      span.status.code,
    ]);
    expect(seen).toEqual([
      ['@fastify/otel', 'request', 'emergency', 'GET /checkout', '2xx', SpanStatusCode.UNSET],
      ['@fastify/otel', 'request', 'routine', 'user', '2xx', SpanStatusCode.UNSET],
      ['@fastify/otel', 'request', 'deliberative', 'status', '5xx', SpanStatusCode.ERROR],
    ]);
  });
});
