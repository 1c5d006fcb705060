// Embedded mode's live view listener (`ui.enabled`): a real service started with start(), its view
// served on its own node:http listener behind api.tokens, live over SSE on the agent's clock,
// closed by shutdown(); a taken port leaves the service running; the listener never holds the
// process (a fresh Node process exits by itself).
import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../agent/index.ts';
import { startEmbedded } from '../../app/start.ts';
import type { EmbeddedHeadroom } from '../../instrumentation/index.ts';
import { openStream } from '../collector/api/setup.ts';
import { ScriptedLoad } from '../helpers/agent.ts';
import { childEnv, runNode } from '../helpers/child-process.ts';
import { freePort } from '../helpers/free-port.ts';

const TOKEN = 'view-reader-token-0123456789';
const START = new URL('../../app/start.ts', import.meta.url).href;

let headroom: EmbeddedHeadroom | undefined;
const streams: Awaited<ReturnType<typeof openStream>>[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) await stream.close();
  await headroom?.shutdown();
  headroom = undefined;
});

/** GET with the token, retried while the listener (started in the background) is not up yet. */
async function getView(url: string): Promise<Response> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      return await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    } catch {
      // not listening yet: bounded polling (100 x 20 ms) on a real listener
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  throw new Error(`no answer from ${url}`);
}

function startService(port: number, clock: ManualClock) {
  return startEmbedded({
    config: {
      service: { name: 'checkout', namespace: 'shop' },
      exporters: { prometheus: { enabled: false } },
      api: { tokens: [{ name: 'view-reader', token: TOKEN, scopes: ['read'] }] },
      ui: { enabled: true, port },
    },
    env: {},
    registerGlobal: false,
    clock,
    loadSampler: new ScriptedLoad(),
  });
}

describe('embedded live view listener', () => {
  it('should serve the view and its stream on ui.port behind api.tokens, and stop serving at shutdown', async () => {
    const port = await freePort();
    // Spans end on the real clock: the agent's clock starts there.
    const clock = new ManualClock(Date.now());
    headroom = startService(port, clock);
    for (let i = 0; i < 30; i++) headroom.track('quote', 'emergency', () => i);
    const reply = await getView(`http://127.0.0.1:${port}/api/v1/view`);
    expect(reply.status).toBe(200);
    const stream = await openStream(`http://127.0.0.1:${port}/api/v1/view/stream`, {
      authorization: `Bearer ${TOKEN}`,
    });
    streams.push(stream);
    await vi.waitFor(() => expect(stream.events).toHaveLength(1));
    await clock.advanceAsync(10_000);
    await vi.waitFor(() => expect(stream.events.map((event) => event.event)).toContain('point'));
    const point = JSON.parse(stream.events.find((event) => event.event === 'point')?.data ?? '{}');
    expect(point.points).toEqual([
      expect.objectContaining({ namespace: 'shop', service: 'checkout', operation: 'quote', count: 30 }),
    ]);
    expect((await fetch(`http://127.0.0.1:${port}/api/v1/view`)).status).toBe(401);
    await headroom.shutdown();
    await expect(stream.done).resolves.toBe('ended');
    await expect(fetch(`http://127.0.0.1:${port}/api/v1/view`)).rejects.toThrow();
  });

  it('should keep the service running without the view when ui.port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const clock = new ManualClock(1_700_000_000_000);
      headroom = startService(port, clock);
      expect(headroom.track('quote', 'emergency', () => 7)).toBe(7);
      await headroom.shutdown();
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('should log where it serves and never keep the process alive', async () => {
    const script = [
      `import { start } from '${START}';`,
      "const headroom = start({ config: { service: { name: 'checkout' }, exporters: { prometheus: { enabled: false } },",
      '  ui: { enabled: true, port: 0 } }, env: {} });',
      "headroom.track('quote', 'emergency', () => 1);",
    ].join('\n');
    const run = await runNode(['--input-type=module', '-e', script], {
      env: childEnv({}),
      timeoutMs: 20_000,
    });
    expect(run.code).toBe(0);
    const messages = run.stderr
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContainEqual(
      expect.stringMatching(
        /^headroom: live view on http:\/\/127\.0\.0\.1:\d+\/ui\/ \(API: GET \/api\/v1\/view, \/api\/v1\/view\/stream\)$/,
      ),
    );
  });
});
