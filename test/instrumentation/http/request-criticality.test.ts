// Every middleware resolves a request's class the same way (README "Where a request's class comes
// from"): the code hook, else the route's YAML class (rule, else context) which baggage may only
// lower, else the baggage (as is from a trusted peer, only lowering CRITICAL from anyone else).
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import type { AdmissionOptions } from '../../../instrumentation/http/request-admission.ts';
import { CLASS_RULES, FRAMEWORKS, type Framework, servePerTest } from '../../helpers/class-servers.ts';
import { testHeadroom } from '../../helpers/headroom.ts';

const serve = servePerTest();

type Request = readonly [path: string, baggage?: string, headers?: Record<string, string>];

async function classes(
  framework: Framework,
  config: HeadroomConfigInput,
  requests: readonly Request[],
  options: AdmissionOptions<IncomingMessage> = {},
  host?: string,
) {
  const setup = testHeadroom({ ...CLASS_RULES, ...config });
  const served = await serve(framework, setup.headroom, options, host);
  const answers = [];
  for (const [path, baggage, headers] of requests) {
    const response = await fetch(served.base + path, {
      headers: { ...(baggage === undefined ? {} : { baggage }), ...headers },
    });
    answers.push(await response.json());
  }
  await served.closes.waitFor(requests.length);
  const spans = setup.exporter.getFinishedSpans().map((span) => span.attributes['headroom.criticality']);
  return { answers, spans };
}

/** Each handler saw its class on its budget and in its baggage; each span carries it. */
function expectClasses(result: Awaited<ReturnType<typeof classes>>, expected: readonly string[]) {
  expect(result.answers).toEqual(expected.map((criticality) => ({ criticality, baggage: criticality })));
  expect(result.spans).toEqual(expected);
}

describe.each(FRAMEWORKS)('the class of a request (%s)', (framework) => {
  it('should take the route YAML class, let baggage lower it but never raise it, and default to CRITICAL', async () => {
    const result = await classes(framework, {}, [
      ['/checkout'],
      ['/checkout', 'headroom.criticality=SHEDDABLE'],
      ['/reports/1', 'headroom.criticality=CRITICAL_PLUS'],
      ['/search'],
      ['/search', 'headroom.criticality=CRITICAL'],
      ['/users/1'],
      ['/users/1', 'headroom.criticality=CRITICAL_PLUS'],
      ['/users/1', 'headroom.criticality=SHEDDABLE_PLUS'],
      ['/users/1', 'headroom.criticality=bogus'],
      ['/users/1', 'tenant=acme, headroom.criticality=SHEDDABLE;origin=batch'],
      ['/health', 'headroom.criticality=SHEDDABLE'],
      ['/health', 'headroom.criticality=%20CRITICAL'],
    ]);
    expectClasses(result, [
      'CRITICAL_PLUS',
      'SHEDDABLE',
      'SHEDDABLE',
      'SHEDDABLE_PLUS',
      'SHEDDABLE_PLUS',
      'CRITICAL',
      'CRITICAL',
      'SHEDDABLE_PLUS',
      'CRITICAL',
      'SHEDDABLE',
      'SHEDDABLE',
      'CRITICAL',
    ]);
  });

  it("should take a trusted peer's baggage as is where no YAML class applies, and still never raise a YAML class", async () => {
    const result = await classes(framework, { criticality: { trustedPeers: ['10.0.0.0/8', '127.0.0.1'] } }, [
      ['/users/1', 'headroom.criticality=CRITICAL_PLUS'],
      ['/health', 'headroom.criticality=CRITICAL_PLUS'],
      ['/reports/1', 'headroom.criticality=CRITICAL_PLUS'],
      ['/checkout', 'headroom.criticality=SHEDDABLE'],
    ]);
    expectClasses(result, ['CRITICAL_PLUS', 'CRITICAL_PLUS', 'SHEDDABLE', 'SHEDDABLE']);
  });

  it('should match an IPv4 client of a dual-stack server (::ffff:127.0.0.1) against IPv4 trusted peers', async () => {
    const trusted = await classes(
      framework,
      { criticality: { trustedPeers: ['127.0.0.0/8'] } },
      [['/users/1', 'headroom.criticality=CRITICAL_PLUS']],
      {},
      '::',
    );
    expectClasses(trusted, ['CRITICAL_PLUS']);
    const untrusted = await classes(
      framework,
      { criticality: { trustedPeers: ['10.0.0.0/8', '::1'] } },
      [['/users/1', 'headroom.criticality=CRITICAL_PLUS']],
      {},
      '::',
    );
    expectClasses(untrusted, ['CRITICAL']);
  });

  it('should let the code hook win over YAML and baggage, and ignore a hook answering nothing, junk or a throw', async () => {
    const hook = (request: IncomingMessage) => {
      const wanted = request.headers['x-class'];
      if (wanted === 'throw') throw new Error('hook failed');
      return wanted as never;
    };
    const result = await classes(
      framework,
      {},
      [
        ['/reports/1', 'headroom.criticality=SHEDDABLE', { 'x-class': 'CRITICAL_PLUS' }],
        ['/checkout', undefined, { 'x-class': 'SHEDDABLE' }],
        ['/reports/1', undefined, { 'x-class': 'critical' }],
        ['/checkout', undefined, { 'x-class': 'throw' }],
        ['/users/1', 'headroom.criticality=SHEDDABLE_PLUS'],
      ],
      { criticality: hook },
    );
    expectClasses(result, ['CRITICAL_PLUS', 'SHEDDABLE', 'SHEDDABLE', 'CRITICAL_PLUS', 'SHEDDABLE_PLUS']);
  });
});

describe('the class in listeners added to the request later (a body parser)', () => {
  it("should run a request's 'data' and 'end' listeners with its class in baggage", async () => {
    const { createServer } = await import('node:http');
    const { context, propagation } = await import('@opentelemetry/api');
    const { budgetListener } = await import('../../../instrumentation/http/http.ts');
    const setup = testHeadroom(CLASS_RULES);
    const server = createServer(
      budgetListener(
        setup.headroom,
        (request, response) => {
          setImmediate(() => {
            request.on('data', () => {});
            request.on('end', () => {
              response.end(propagation.getBaggage(context.active())?.getEntry('headroom.criticality')?.value);
            });
          });
        },
        { routes: ['/reports/:id'] },
      ),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as import('node:net').AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/reports/1`, {
        method: 'POST',
        body: 'x'.repeat(10),
      });
      expect(await response.text()).toBe('SHEDDABLE');
    } finally {
      server.close();
    }
  });
});
