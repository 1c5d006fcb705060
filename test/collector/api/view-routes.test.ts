/**
 * The live view mounted on the decision API's listener (collector mode): `/ui` delegated to the
 * injected static-file handler (and the decision API's 404 when it declines), a handler failure
 * answered 500 without breaking the listener, and view streams of a token a reload removed ended.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type DecisionApi, startDecisionApi } from '../../../collector/api/index.ts';
import type { RequestHandler } from '../../../view/index.ts';
import { testAgent } from '../../helpers/agent.ts';
import { openStream } from './setup.ts';

const READER = 'reader-token-0123456789';
const OTHER = 'other-token-0123456789';

let api: DecisionApi | undefined;
const streams: Awaited<ReturnType<typeof openStream>>[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) await stream.close();
  await api?.close();
  api = undefined;
});

const tokens = [
  { name: 'reader', token: READER, scopes: ['read' as const] },
  { name: 'other', token: OTHER, scopes: ['read' as const] },
];

async function start(staticFiles: RequestHandler) {
  const { agent } = testAgent({ api: { port: 0, tokens }, ui: { enabled: true } });
  api = await startDecisionApi({
    agent,
    config: agent.config.api,
    view: { ui: agent.config.ui, slos: undefined, staticFiles },
  });
  return { agent, api };
}

/** Serves `/ui/` as a page, declines other paths, fails on `/ui/boom`. */
const staticFiles: RequestHandler = (request, response) => {
  if (request.url === '/ui/boom') throw new Error('disk on fire');
  if (request.url !== '/ui/' && request.url !== '/ui') return false;
  response
    .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    .end('<!doctype html><title>Headroom</title>');
  return true;
};

describe('the live view on the decision API listener', () => {
  it('should hand /ui and /ui/* to the static files, answer 404 for what they decline and 500 when they fail', async () => {
    const { api } = await start(staticFiles);
    const page = await fetch(`${api.url}/ui/`);
    expect([page.status, page.headers.get('content-type'), await page.text()]).toEqual([
      200,
      'text/html; charset=utf-8',
      '<!doctype html><title>Headroom</title>',
    ]);
    expect((await fetch(`${api.url}/ui`)).status).toBe(200);
    const declined = await fetch(`${api.url}/ui/services/_/checkout/x`);
    expect([declined.status, await declined.json()]).toEqual([
      404,
      { error: { code: 'not_found', message: 'no route GET /ui/services/_/checkout/x' } },
    ]);
    const failed = await fetch(`${api.url}/ui/boom`);
    expect([failed.status, await failed.json()]).toEqual([
      500,
      { error: { code: 'internal', message: 'internal error; see the agent log' } },
    ]);
    expect(
      (await fetch(`${api.url}/api/v1/view`, { headers: { authorization: `Bearer ${READER}` } })).status,
    ).toBe(200);
  });

  it('should end the view streams of a token a reload removed and keep the others', async () => {
    const { agent, api } = await start(staticFiles);
    const reader = await openStream(`${api.url}/api/v1/view/stream`, { authorization: `Bearer ${READER}` });
    const other = await openStream(`${api.url}/api/v1/view/stream`, { authorization: `Bearer ${OTHER}` });
    streams.push(reader, other);
    await vi.waitFor(() => expect([reader.events.length, other.events.length]).toEqual([1, 1]));
    api.reconfigure({
      ...agent.config.api,
      tokens: agent.config.api.tokens.filter((t) => t.name === 'reader'),
    });
    await expect(other.done).resolves.toBe('ended');
    agent.tick();
    await vi.waitFor(() => expect(reader.events.map((event) => event.event)).toEqual(['view', 'point']));
  });
});
