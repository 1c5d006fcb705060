import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { maxCompressedBytes } from '../../../collector/receiver/content-coding.ts';
import { DISCARD_MAX_MS, DISCARD_WIRE_BODIES } from '../../../collector/receiver/discard-rest.ts';
import type { OtlpReceiver } from '../../../collector/receiver/index.ts';
import { postHead, rawConnect } from '../../helpers/raw-http.ts';
import { httpBatch, protobufPayload } from './otlp-fixtures.ts';
import { PROTOBUF, startTestReceiver } from './receiver-harness.ts';

const LIMIT = 64 * 1024;
const open: OtlpReceiver[] = [];
const agents: HttpAgent[] = [];

async function start() {
  const started = await startTestReceiver({ receiver: { maxBodySize: '64KiB' } });
  open.push(started.receiver);
  return started;
}

afterEach(async () => {
  for (const agent of agents.splice(0)) agent.destroy();
  await Promise.all(open.splice(0).map((receiver) => receiver.close()));
});

interface Answer {
  readonly status: number;
  readonly connection: string | undefined;
  readonly reusedSocket: boolean;
}

/** POSTs on a keep-alive agent of one socket; resolves with the answer, rejects on a transport error. */
function postKeepAlive(
  agent: HttpAgent,
  url: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
) {
  return new Promise<Answer>((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const request = httpRequest({ hostname, port, path, method: 'POST', agent, headers });
    request.on('error', reject);
    request.on('response', (response) => {
      response.resume();
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          connection: response.headers.connection,
          reusedSocket: request.reusedSocket,
        }),
      );
    });
    request.end(body);
  });
}

describe('OTLP/HTTP receiver refusing a body it did not read to the end', () => {
  it.each([
    ['over the limit, declared', '/v1/traces', {}, Buffer.alloc(LIMIT * 6), 413],
    ['to an unknown path', '/v1/logs', {}, Buffer.alloc(LIMIT * 6), 404],
    [
      'of an unknown content encoding',
      '/v1/traces',
      { 'content-encoding': 'br' },
      Buffer.alloc(LIMIT * 6),
      415,
    ],
    [
      'over the limit, streamed',
      '/v1/traces',
      { 'transfer-encoding': 'chunked' },
      Buffer.alloc(LIMIT * 6),
      413,
    ],
    [
      'that inflates past the limit',
      '/v1/traces',
      { 'content-encoding': 'gzip' },
      Buffer.concat([gzipSync(Buffer.alloc(LIMIT * 40)), Buffer.alloc(LIMIT * 4)]),
      413,
    ],
    ['with a corrupt gzip stream', '/v1/traces', { 'content-encoding': 'gzip' }, Buffer.alloc(LIMIT, 7), 400],
  ])(
    'should answer a keep-alive client sending a body %s, throw the rest away and keep the connection',
    async (_, path, extra, body, status) => {
      const { receiver, clock } = await start();
      const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
      agents.push(agent);
      const headers = { 'content-type': PROTOBUF, ...extra };
      const refused = await postKeepAlive(agent, receiver.url, path, headers, body);
      const valid = Buffer.from(protobufPayload(httpBatch(2, clock.now())));
      const next = await postKeepAlive(
        agent,
        receiver.url,
        '/v1/traces',
        { 'content-type': PROTOBUF },
        valid,
      );
      expect([refused, next]).toEqual([
        { status, connection: 'keep-alive', reusedSocket: false },
        { status: 200, connection: 'keep-alive', reusedSocket: true },
      ]);
    },
  );

  it('should cut the connection once the rest thrown away passes its bound, after answering', async () => {
    const { receiver } = await start();
    const { hostname, port } = new URL(receiver.url);
    const socket = connect(Number(port), hostname);
    const declaredBytes = 64 * 1024 * 1024;
    let answer = '';
    let writtenBytes = 0;
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', () => {}); // the cut reaches the writer as EPIPE or ECONNRESET
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(
      `POST /v1/traces HTTP/1.1\r\nhost: x\r\ncontent-type: ${PROTOBUF}\r\ncontent-length: ${declaredBytes}\r\n\r\n`,
    );
    const chunk = Buffer.alloc(64 * 1024);
    const pump = async () => {
      while (writtenBytes < declaredBytes && !socket.destroyed) {
        if (!socket.write(chunk))
          await new Promise((resolve) => socket.once('drain', resolve).once('close', resolve));
        writtenBytes += chunk.length;
      }
    };
    await Promise.all([pump(), closed]);
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 413 Payload Too Large');
    // Cut after about the bound (plus what the kernel buffers), long before the declared 64 MiB.
    const boundBytes = DISCARD_WIRE_BODIES * maxCompressedBytes(LIMIT);
    expect(writtenBytes).toBeGreaterThan(boundBytes);
    expect(writtenBytes).toBeLessThan(declaredBytes / 2);
  });

  it('should cut the connection of a refused body that stops arriving once DISCARD_MAX_MS of the clock has passed', async () => {
    const { receiver, clock } = await start();
    const connection = await rawConnect(receiver.url);
    const answered = new Promise((resolve) => connection.socket.once('data', resolve));
    connection.write(postHead('/v1/traces', { 'content-type': PROTOBUF, 'content-length': LIMIT * 2 }));
    connection.write(Buffer.alloc(1024));
    await answered;
    let closed = false;
    void connection.response.then(() => {
      closed = true;
    });
    await clock.advanceAsync(DISCARD_MAX_MS - 1);
    expect(closed).toBe(false);
    await clock.advanceAsync(1);
    const reply = await connection.response;
    expect([reply.status, reply.headers.connection, closed]).toEqual([413, 'keep-alive', true]);
  });
});
