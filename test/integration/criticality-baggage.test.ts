// A request's class crosses a real hop in W3C baggage: an upstream service started as start()
// starts it (Headroom's own SDK, registered globally: trace context AND baggage propagators) calls a
// downstream service, through fetch with the context injected or through node:http with the HTTP
// instrumentation; the downstream middleware reads the class (and applies its own trust rule).
import { createRequire } from 'node:module';
import { context, propagation } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { afterEach, describe, expect, it } from 'vitest';
import type { HeadroomConfigInput } from '../../config/index.ts';
import { budgetListener, requestBudget } from '../../instrumentation/http/http.ts';
import { Hops } from '../helpers/hops.ts';

const hops = new Hops();
const headroom = hops.headroom.bind(hops);
const listen = hops.listen.bind(hops);

afterEach(() => hops.close());

/** The downstream service: answers the class its middleware resolved for the request. */
async function downstream(config: HeadroomConfigInput = {}): Promise<string> {
  const backend = headroom('backend', config, false);
  return listen(
    budgetListener(backend, (request, response) => {
      response.end(requestBudget(request)?.criticality);
    }),
  );
}

/** fetch with the active context injected, as a service without fetch instrumentation does. */
async function fetchInjected(url: string): Promise<string> {
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  return (await fetch(url, { headers })).text();
}

/** The upstream service, started like start() does; each route calls `call(downstreamUrl)`. */
async function upstream(
  down: string,
  call: (url: string) => Promise<string>,
  config: HeadroomConfigInput = {},
) {
  const frontend = headroom(
    'frontend',
    {
      rules: [
        {
          match: { kind: 'server', attributes: { 'http.route': '/batch' } },
          context: 'routine',
          criticality: 'SHEDDABLE',
        },
        { match: { kind: 'server', attributes: { 'http.route': '/page' } }, context: 'routine' },
      ],
      ...config,
    },
    true,
  );
  const listener = budgetListener(
    frontend,
    (request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      const sub = url.searchParams.get('sub');
      const run = () => call(down);
      const pending = sub === null ? run() : frontend.withCriticality(sub as never, run);
      pending.then(
        (seen) => response.end(seen),
        (error: unknown) => {
          response.statusCode = 500;
          response.end(String(error));
        },
      );
    },
    {
      routes: ['/batch', '/page'],
      criticality: (request) => (request.headers['x-vip'] === '1' ? 'CRITICAL_PLUS' : undefined),
    },
  );
  return listen(listener);
}

async function text(url: string, headers: Record<string, string> = {}): Promise<string> {
  return (await fetch(url, { headers })).text();
}

describe('criticality in W3C baggage across a real hop', () => {
  it("should register the baggage propagator beside trace context in Headroom's own SDK", async () => {
    headroom('frontend', {}, true);
    expect(propagation.fields().sort()).toEqual(['baggage', 'traceparent', 'tracestate']);
  });

  it('should carry the class the upstream resolved to the downstream, through fetch with the context injected', async () => {
    const down = await downstream();
    const up = await upstream(down, fetchInjected);
    expect([
      await text(`${up}/batch`),
      await text(`${up}/page`),
      await text(`${up}/page`, { baggage: 'headroom.criticality=SHEDDABLE_PLUS' }),
      await text(`${up}/page?sub=SHEDDABLE`),
      await text(`${up}/batch?sub=CRITICAL`),
    ]).toEqual(['SHEDDABLE', 'CRITICAL', 'SHEDDABLE_PLUS', 'SHEDDABLE', 'CRITICAL']);
  });

  it('should let a CRITICAL_PLUS request through a trusted hop only', async () => {
    const untrusting = await downstream();
    const trusting = await downstream({ criticality: { trustedPeers: ['127.0.0.1'] } });
    const viaUntrusting = await upstream(untrusting, fetchInjected);
    const viaTrusting = await upstream(trusting, fetchInjected);
    expect([
      await text(`${viaUntrusting}/page`, { 'x-vip': '1' }),
      await text(`${viaTrusting}/page`, { 'x-vip': '1' }),
      await text(`${viaTrusting}/batch`, { 'x-vip': '1' }),
      await text(`${viaTrusting}/batch`),
    ]).toEqual(['CRITICAL', 'CRITICAL_PLUS', 'CRITICAL_PLUS', 'SHEDDABLE']);
  });

  it('should carry it through node:http with the HTTP instrumentation injecting the headers', async () => {
    const instrumentation = new HttpInstrumentation({ enabled: false });
    instrumentation.enable();
    // The instrumentation patches node:http's CommonJS exports (a service loads it with --import):
    // the client takes get() from there.
    const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');
    try {
      const down = await downstream();
      const viaHttp = (url: string) =>
        new Promise<string>((resolve, reject) => {
          http
            .get(url, (response) => {
              let body = '';
              response.on('data', (chunk: Buffer) => {
                body += chunk.toString();
              });
              response.on('end', () => resolve(body));
            })
            .on('error', reject);
        });
      const up = await upstream(down, viaHttp);
      instrumentation.setTracerProvider(hops.headrooms[1]!.tracerProvider!);
      expect([await text(`${up}/batch`), await text(`${up}/page?sub=SHEDDABLE_PLUS`)]).toEqual([
        'SHEDDABLE',
        'SHEDDABLE_PLUS',
      ]);
    } finally {
      instrumentation.disable();
    }
  });
});
