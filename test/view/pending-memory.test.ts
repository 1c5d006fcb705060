/**
 * Memory of the live view's answers to clients that read slowly or not at all, all answers
 * together (review16c H2, H3): the view is serialized once per filter and shared, a byte budget
 * (`api.maxPendingSize`) bounds what the pending answers hold together (503 with Retry-After past
 * it), a GET whose client takes nothing for 10 s is cut, and the embedded listener takes at most
 * `api.maxStreams + 16` connections. Memory is measured after `gc()`, with wide margins: one copy
 * of the view is ~4 MB, one per reader was 140-380 MB.
 */
import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordMany } from '../helpers/agent.ts';
import { startSeededView, TOKENS } from './setup.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MB = 1e6;

/** 20 services x 50 operations with 2 min of 1 s history: a ~4 MB view, seeded once (~7 s). */
async function largeView() {
  const view = await startSeededView({
    api: { tokens: [{ name: 'reader', token: TOKENS.reader, scopes: ['read'] }], maxStreamsPerToken: 64 },
    ui: { enabled: true, port: 0, history: { resolution: '1s', length: '2m' } },
  });
  const { agent, clock } = view;
  for (let step = 0; step < 121; step++) {
    for (let s = 0; s < 20 && step % 10 === 0; s++)
      for (let o = 0; o < 50; o++) {
        const series = {
          namespace: 'ns',
          service: `service-${s}`,
          operation: `GET /op/${o}`,
          context: 'routine',
        };
        recordMany(agent, clock, series, 20 + o, 2);
      }
    clock.advance(1000);
    agent.tick();
  }
  return view;
}

let view: Awaited<ReturnType<typeof largeView>>;
beforeAll(async () => {
  view = await largeView();
}, 60_000);
afterAll(() => view.close());

const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
});

/** A raw connection that sends `path` and reads only its first chunk; `first()` is that chunk's text. */
function reader(url: string, path: string, token = TOKENS.reader) {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  sockets.push(socket);
  let first: string | undefined;
  socket.once('data', (chunk: Buffer) => {
    socket.pause();
    first = chunk.toString('latin1');
  });
  socket.on('error', () => {});
  socket.write(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${token}\r\n\r\n`);
  return { socket, first: () => first };
}

const statusOf = (text: string | undefined) => text?.slice(0, text.indexOf('\r\n'));

describe('live view memory across answers to clients that read nothing', () => {
  it('should hold one copy of a 4 MB view for 64 streams of one token that read only their first chunk', async () => {
    const viewBytes = (await (await view.get('/api/v1/view', TOKENS.reader)).arrayBuffer()).byteLength;
    expect(viewBytes).toBeGreaterThan(3.5 * MB);
    gc();
    const before = process.memoryUsage();
    const readers = Array.from({ length: 64 }, () => reader(view.url, '/api/v1/view/stream'));
    await expect
      .poll(() => readers.filter((one) => one.first() !== undefined).length, { timeout: 15_000 })
      .toBe(64);
    gc();
    const after = process.memoryUsage();
    expect(new Set(readers.map((one) => statusOf(one.first())))).toEqual(new Set(['HTTP/1.1 200 OK']));
    // one shared view (~4 MB), where a copy per stream was ~240 MB of heap
    expect(Math.round((after.heapUsed - before.heapUsed) / MB)).toBeLessThan(32);
    expect(Math.round((after.arrayBuffers - before.arrayBuffers) / MB)).toBeLessThan(32);
  }, 20_000);

  it('should hold one copy for 32 GET /api/v1/view that read nothing', async () => {
    gc();
    const before = process.memoryUsage();
    const readers = Array.from({ length: 32 }, () => reader(view.url, '/api/v1/view'));
    await expect
      .poll(() => readers.filter((one) => one.first() !== undefined).length, { timeout: 15_000 })
      .toBe(32);
    gc();
    const after = process.memoryUsage();
    expect(new Set(readers.map((one) => statusOf(one.first())))).toEqual(new Set(['HTTP/1.1 200 OK']));
    // one shared answer, where a copy per connection was ~12 MB of ArrayBuffers (~380 MB here)
    expect(Math.round((after.arrayBuffers - before.arrayBuffers) / MB)).toBeLessThan(64);
    expect(Math.round((after.heapUsed - before.heapUsed) / MB)).toBeLessThan(32);
  }, 20_000);
});
