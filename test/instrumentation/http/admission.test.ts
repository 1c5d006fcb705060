// Admission in the three middlewares, against the real admission controller: at SEVERE the YAML
// floors shed SHEDDABLE (100 %) and half of SHEDDABLE_PLUS; the draws are scripted, so each
// request's fate is known. A rejected request gets the exact 503, runs no handler, and its span says so.
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DiagLogLevel, diag, SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { budgetListener } from '../../../instrumentation/http/http.ts';
import type { AdmissionOptions } from '../../../instrumentation/http/request-admission.ts';
import { CLASS_RULES, FRAMEWORKS, type Framework, servePerTest } from '../../helpers/class-servers.ts';
import { testHeadroom } from '../../helpers/headroom.ts';

const serve = servePerTest();

const SHEDDING: HeadroomConfigInput = {
  ...CLASS_RULES,
  admission: {
    retryAfter: '2500ms',
    levels: { severe: { minRejection: { SHEDDABLE: '100%', SHEDDABLE_PLUS: '50%' } } },
  },
};

/** [path, the next draws of `random` while it is judged] */
type Call = readonly [path: string, draw: number];

/** A service at SEVERE (overridden, one tick), answering `calls` one after the other. */
async function atSevere(
  framework: Framework,
  calls: readonly Call[],
  options: AdmissionOptions<IncomingMessage> = {},
  config: HeadroomConfigInput = {},
) {
  let draw = 0.99;
  const setup = testHeadroom({ ...SHEDDING, ...config }, { random: () => draw });
  setup.headroom.override('SEVERE', 'load test');
  setup.headroom.tick();
  const served = await serve(framework, setup.headroom, options);
  const replies = [];
  for (const [path, next] of calls) {
    draw = next;
    const response = await fetch(served.base + path);
    replies.push({
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      contentType: response.headers.get('content-type'),
      body: await response.json(),
    });
  }
  await served.closes.waitFor(calls.length);
  return { setup, replies, handlerCalls: served.calls() };
}

const CALLS: readonly Call[] = [
  ['/reports/1', 0.999],
  ['/search', 0.4],
  ['/search', 0.6],
  ['/checkout', 0],
  ['/users/1', 0],
];

function admittedReply(criticality: string) {
  return {
    status: 200,
    retryAfter: null,
    contentType: 'application/json; charset=utf-8',
    body: { criticality, baggage: criticality },
  };
}

describe.each(FRAMEWORKS)('admission in the middleware (%s)', (framework) => {
  it('should answer 503 with Retry-After and the JSON body, and run no handler, for the requests admission turns away', async () => {
    const { replies, handlerCalls } = await atSevere(framework, CALLS);
    const rejection = (criticality: string, percent: number) => ({
      status: 503,
      retryAfter: '3',
      contentType: 'application/json; charset=utf-8',
      body: {
        code: 'HEADROOM_ADMISSION_REJECTED',
        message: `${criticality} request rejected: the service is degraded to SEVERE, so ${percent}% of ${criticality} requests are shed; retry after 2500ms`,
        criticality,
      },
    });
    expect(replies).toEqual([
      rejection('SHEDDABLE', 100),
      rejection('SHEDDABLE_PLUS', 50),
      admittedReply('SHEDDABLE_PLUS'),
      admittedReply('CRITICAL_PLUS'),
      admittedReply('CRITICAL'),
    ]);
    expect(handlerCalls).toBe(3);
  });

  it('should mark the server span of a rejected request rejected, with its class and the 503', async () => {
    const { setup } = await atSevere(framework, CALLS);
    const spans = setup.exporter
      .getFinishedSpans()
      .filter((span) => span.attributes['http.request.method'] === 'GET');
    expect(
      spans.map((span) => [
        span.attributes['headroom.criticality'],
        span.attributes['headroom.admission.outcome'],
        span.attributes['http.response.status_code'],
        span.status.code,
      ]),
    ).toEqual([
      ['SHEDDABLE', 'rejected', 503, SpanStatusCode.ERROR],
      ['SHEDDABLE_PLUS', 'rejected', 503, SpanStatusCode.ERROR],
      ['SHEDDABLE_PLUS', undefined, 200, SpanStatusCode.UNSET],
      ['CRITICAL_PLUS', undefined, 200, SpanStatusCode.UNSET],
      ['CRITICAL', undefined, 200, SpanStatusCode.UNSET],
    ]);
  });

  it('should count each request in its class on the controller', async () => {
    const { setup } = await atSevere(framework, CALLS);
    const { classes } = setup.headroom.agent.admission('checkout').state();
    expect(
      Object.fromEntries(Object.entries(classes).map(([name, c]) => [name, [c.admitted, c.rejected]])),
    ).toEqual({
      CRITICAL_PLUS: [1, 0],
      CRITICAL: [1, 0],
      SHEDDABLE_PLUS: [1, 1],
      SHEDDABLE: [0, 1],
    });
  });

  it('should admit every request with { admission: false }, its class still resolved', async () => {
    const { replies, handlerCalls } = await atSevere(framework, CALLS, { admission: false });
    expect(replies).toEqual([
      admittedReply('SHEDDABLE'),
      admittedReply('SHEDDABLE_PLUS'),
      admittedReply('SHEDDABLE_PLUS'),
      admittedReply('CRITICAL_PLUS'),
      admittedReply('CRITICAL'),
    ]);
    expect(handlerCalls).toBe(5);
  });

  it('should admit every request when admission.enabled is false in YAML', async () => {
    const { replies } = await atSevere(
      framework,
      CALLS,
      {},
      { admission: { ...SHEDDING.admission, enabled: false } },
    );
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200, 200, 200]);
  });
});

describe('a rejection that cannot be answered', () => {
  it('should destroy the response, log, call no handler and keep serving, when the headers were already sent', async () => {
    const logged: string[] = [];
    const drop = () => {};
    diag.setLogger(
      {
        error: (message: string) => void logged.push(message),
        warn: drop,
        info: drop,
        debug: drop,
        verbose: drop,
      },
      { logLevel: DiagLogLevel.ERROR, suppressOverrideMessage: true },
    );
    try {
      const setup = testHeadroom(SHEDDING, { random: () => 0 });
      setup.headroom.override('SEVERE', 'load test');
      setup.headroom.tick();
      let calls = 0;
      const tracked = budgetListener(
        setup.headroom,
        (_request, response) => {
          calls++;
          response.end('ran');
        },
        { routes: ['/reports/:id', '/users/:id'] },
      );
      const server = createServer((request, response) => {
        // Something before the middleware already started the response.
        if (request.url === '/reports/1') response.writeHead(200).write('early ');
        tracked(request, response);
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const early = await fetch(`${base}/reports/1`).then(
          (response) => response.text(),
          (error: unknown) => error,
        );
        expect(early).toBeInstanceOf(Error);
        expect(await (await fetch(`${base}/users/1`)).text()).toBe('ran');
        expect([calls, logged]).toEqual([1, ['headroom: could not send the 503 of a rejected request']]);
      } finally {
        server.close();
      }
    } finally {
      diag.disable();
    }
  });
});
