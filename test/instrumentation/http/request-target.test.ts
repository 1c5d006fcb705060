// Every form of a request target (RFC 9112 3.2) lands in the class of the route the framework
// routes it to (review15g H1): the absolute form (userinfo, IPv6 authority, any scheme's case),
// a fragment, percent-encoding, duplicate slashes and dot segments, HEAD, `OPTIONS *`. Real
// servers on 127.0.0.1, raw request lines over a socket. Both directions: a SHEDDABLE route at
// SEVERE (floor 100 %) never reaches its handler, whatever the spelling (503 in its class, or the
// framework's 404); a CRITICAL_PLUS route is never lowered.
import { describe, expect, it } from 'vitest';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { CLASS_RULES, FRAMEWORKS, type Framework, servePerTest } from '../../helpers/class-servers.ts';
import { testHeadroom } from '../../helpers/headroom.ts';
import { rawConnect } from '../../helpers/raw-http.ts';

const serve = servePerTest();

const SHEDDING: HeadroomConfigInput = {
  ...CLASS_RULES,
  admission: { levels: { severe: { minRejection: { SHEDDABLE: '100%' } } } },
};

/** Sends `method target` (`@` in the target: the server's host and port) and reads the answer. */
async function send(base: string, method: string, target: string) {
  const connection = await rawConnect(base);
  const authority = new URL(base).host;
  const port = new URL(base).port;
  const line = target.replaceAll('@HOST', authority).replaceAll('@PORT', port);
  connection.write(`${method} ${line} HTTP/1.1\r\nhost: ${authority}\r\nconnection: close\r\n\r\n`);
  const { status, body } = await connection.response;
  return { status, body };
}

/** Targets naming `/reports/1` or `/checkout` (`$` stands for the path) the three frameworks route alike. */
const SPELLINGS = [
  '$',
  'http://@HOST$',
  'http://user:secret@@HOST$',
  'http://[::1]:@PORT$',
  'HTTP://Example.COM$?a=1',
  '$#fragment',
  '$?q=1#fragment',
];

/**
 * Spellings the frameworks route differently: Express and Fastify answer 404 where they name no
 * route, Fastify 400 for an absolute form with a fragment.
 */
const ODD: Readonly<Record<string, Readonly<Record<Framework, 'routed' | 400 | 404>>>> = {
  'https://example.com/reports/1?a=1#top': { 'node:http': 'routed', express: 'routed', fastify: 400 },
  '/%72eports/1': { 'node:http': 'routed', express: 404, fastify: 'routed' },
  '//reports/1': { 'node:http': 'routed', express: 404, fastify: 404 },
  '/x/../reports/1': { 'node:http': 'routed', express: 404, fastify: 404 },
  '/reports/1/': { 'node:http': 'routed', express: 'routed', fastify: 404 },
  '/reports/%31': { 'node:http': 'routed', express: 'routed', fastify: 'routed' },
};

const CRITICAL_PLUS = {
  status: 200,
  body: JSON.stringify({ criticality: 'CRITICAL_PLUS', baggage: 'CRITICAL_PLUS' }),
};

describe.each(FRAMEWORKS)('a request target in any form (%s, review15g H1)', (framework) => {
  async function atSevere() {
    const setup = testHeadroom(SHEDDING, { random: () => 0.5 });
    setup.headroom.override('SEVERE', 'load test');
    setup.headroom.tick();
    return serve(framework, setup.headroom);
  }

  it('should shed a SHEDDABLE route at SEVERE in every spelling, and never run its handler', async () => {
    const served = await atSevere();
    const statuses: Record<string, number> = {};
    for (const spelling of SPELLINGS) {
      const target = spelling.replace('$', '/reports/1');
      statuses[`GET ${target}`] = (await send(served.base, 'GET', target)).status;
      statuses[`HEAD ${target}`] = (await send(served.base, 'HEAD', target)).status;
    }
    for (const target of Object.keys(ODD))
      statuses[`GET ${target}`] = (await send(served.base, 'GET', target)).status;
    const expected: Record<string, number> = {};
    for (const spelling of SPELLINGS) {
      const target = spelling.replace('$', '/reports/1');
      expected[`GET ${target}`] = 503;
      expected[`HEAD ${target}`] = 503;
    }
    for (const [target, routed] of Object.entries(ODD))
      expected[`GET ${target}`] = routed[framework] === 'routed' ? 503 : routed[framework];
    expect({ statuses, handlerCalls: served.calls() }).toEqual({ statuses: expected, handlerCalls: 0 });
  });

  it('should run a CRITICAL_PLUS route in CRITICAL_PLUS in every spelling', async () => {
    const setup = testHeadroom(SHEDDING);
    const served = await serve(framework, setup.headroom);
    const replies = [];
    for (const spelling of SPELLINGS)
      replies.push(await send(served.base, 'GET', spelling.replace('$', '/checkout')));
    expect(replies).toEqual(SPELLINGS.map(() => CRITICAL_PLUS));
  });

  it('should give a target with no route no YAML class: OPTIONS *, an absolute form without a path', async () => {
    const served = await atSevere();
    const replies = [await send(served.base, 'OPTIONS', '*'), await send(served.base, 'GET', 'http://@HOST')];
    const statuses = replies.map((reply) => reply.status);
    // node:http's listener answers everything (no template matches: the default class); the routers 404.
    if (framework === 'node:http') {
      const critical = JSON.stringify({ criticality: 'CRITICAL', baggage: 'CRITICAL' });
      expect(replies).toEqual([
        { status: 200, body: critical },
        { status: 200, body: critical },
      ]);
    } else
      expect({ statuses, handlerCalls: served.calls() }).toEqual({ statuses: [404, 404], handlerCalls: 0 });
  });
});
