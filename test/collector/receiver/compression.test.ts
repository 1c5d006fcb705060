import { request as httpRequest } from 'node:http';
import {
  constants,
  createZstdCompress,
  deflateRawSync,
  deflateSync,
  gzipSync,
  zstdCompressSync,
} from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { httpBatch, jsonPayload, protobufPayload } from './otlp-fixtures.ts';
import {
  JSON_TYPE,
  LIMIT,
  limitedReceivers,
  PROTOBUF,
  responseOf,
  send,
  statusOf,
} from './receiver-harness.ts';

const start = limitedReceivers();

/** Compresses `body` as a streaming encoder does: no content size in the frame, the given window. */
function zstdStream(body: Buffer, windowLog: number): Promise<Buffer> {
  const compressor = createZstdCompress({ params: { [constants.ZSTD_c_windowLog]: windowLog } });
  const parts: Buffer[] = [];
  compressor.on('data', (part: Buffer) => parts.push(part));
  const done = new Promise<Buffer>((resolve) => compressor.on('end', () => resolve(Buffer.concat(parts))));
  compressor.write(body.subarray(0, 10));
  compressor.end(body.subarray(10));
  return done;
}

const CODINGS = [
  ['zstd', zstdCompressSync],
  ['ZSTD', zstdCompressSync],
  ['deflate', deflateSync],
  ['zlib', deflateSync],
  ['gzip', gzipSync],
] as const;

function post(url: string, contentType: string, coding: string, body: Uint8Array) {
  return send(url, { headers: { 'content-type': contentType, 'content-encoding': coding }, body });
}

/** Sends a zstd body in two writes, the second once the first has been sent. */
function sendInTwo(url: string, body: Buffer, cut: number) {
  const outgoing = httpRequest(new URL('/v1/traces', url), {
    method: 'POST',
    headers: { 'content-type': PROTOBUF, 'content-encoding': 'zstd', 'content-length': body.length },
    agent: false,
  });
  const response = responseOf(outgoing);
  outgoing.write(body.subarray(0, cut), () => outgoing.end(body.subarray(cut)));
  return response;
}

describe('OTLP/HTTP receiver with compressed bodies', () => {
  it.each(CODINGS)(
    'should record protobuf and JSON spans sent with Content-Encoding %s',
    async (coding, compress) => {
      const { receiver, agent, clock } = await start();
      const protobuf = await post(
        receiver.url,
        PROTOBUF,
        coding,
        compress(protobufPayload(httpBatch(20, clock.now()))),
      );
      const json = await post(
        receiver.url,
        JSON_TYPE,
        coding,
        compress(jsonPayload(httpBatch(30, clock.now()))),
      );
      expect([protobuf.status, protobuf.body.length, json.status, json.body.toString()]).toEqual([
        200,
        0,
        200,
        '{}',
      ]);
      expect(receiver.stats()).toMatchObject({ requests: 2, spansReceived: 50, spansRejected: 0 });
      const counts = agent.registry.list().map((series) => series.window.snapshot(clock.now()).count);
      expect(counts.reduce((sum, count) => sum + count, 0)).toBe(25); // every other span carries a budget context
    },
  );

  it('should read zstd from a streaming encoder (8 MiB window, no content size)', async () => {
    const { receiver, clock } = await start();
    const payload = Buffer.from(protobufPayload(httpBatch(10, clock.now())));
    const streamed = await zstdStream(payload, 23);
    expect(streamed.readUInt32LE(0)).toBe(0xfd2fb528); // a zstd frame, its window descriptor set
    expect((await post(receiver.url, PROTOBUF, 'zstd', streamed)).status).toBe(200);
    expect(receiver.stats().spansReceived).toBe(10);
  });

  it.each([
    ['zstd', zstdCompressSync],
    ['deflate', deflateSync],
  ] as const)(
    'should refuse a %s bomb with 413 once the decompressed bytes pass the limit',
    async (coding, compress) => {
      const { receiver } = await start();
      const bomb = compress(Buffer.alloc(64 * 1024 * 1024));
      expect(bomb.length).toBeLessThan(70 * 1024); // 64 MiB of zeros in at most 70 KiB
      const small = compress(Buffer.alloc(LIMIT + 1));
      for (const body of [bomb, small]) {
        const response = await post(receiver.url, PROTOBUF, coding, body);
        expect(response.status).toBe(413);
        expect(statusOf(response)).toEqual({ code: 8, message: `request body exceeds ${LIMIT} bytes` });
      }
      const atLimit = await post(receiver.url, PROTOBUF, coding, compress(Buffer.alloc(LIMIT)));
      // Exactly the limit is read to the end: zeros are no OTLP message, so the decoder answers.
      expect(atLimit.status).toBe(400);
      expect(receiver.stats().refused).toMatchObject({ too_large: 2, bad_request: 1 });
    },
  );

  it.each([
    ['zstd', Buffer.from('plain text'), 'malformed zstd body: Unknown frame descriptor'],
    [
      'zstd',
      zstdCompressSync(Buffer.alloc(1000, 7)).subarray(0, 8),
      'malformed zstd body: unexpected end of file',
    ],
    ['deflate', Buffer.from('plain text'), 'malformed deflate body: incorrect header check'],
    ['deflate', deflateRawSync(Buffer.alloc(100)), 'malformed deflate body: incorrect header check'],
    [
      'deflate',
      deflateSync(Buffer.alloc(1000, 7)).subarray(0, 8),
      'malformed deflate body: unexpected end of file',
    ],
  ])('should answer a %s body that is not (whole) %s with 400: %s', async (coding, body, message) => {
    const { receiver } = await start();
    const response = await post(receiver.url, PROTOBUF, coding, body);
    expect([response.status, statusOf(response)]).toEqual([400, { code: 3, message }]);
    expect(receiver.stats().refused.bad_request).toBe(1);
  });

  it('should read every frame of a zstd body, split anywhere across chunks', async () => {
    const { receiver, clock } = await start();
    const payload = Buffer.from(protobufPayload(httpBatch(12, clock.now())));
    const third = Math.floor(payload.length / 3);
    // Three frames (and an empty one) split the message mid-field: the body is their concatenated output.
    const frames = Buffer.concat([
      zstdCompressSync(payload.subarray(0, third)),
      zstdCompressSync(payload.subarray(third, 2 * third)),
      zstdCompressSync(Buffer.alloc(0)),
      zstdCompressSync(payload.subarray(2 * third)),
    ]);
    const firstFrame = zstdCompressSync(payload.subarray(0, third)).length;
    for (const cut of [1, 7, firstFrame, firstFrame + 1, frames.length >> 1, frames.length - 1]) {
      const response = await sendInTwo(receiver.url, frames, cut);
      expect([cut, response.status]).toEqual([cut, 200]);
    }
    expect(receiver.stats().spansReceived).toBe(72);
  });

  it('should refuse deflate data after the end of the zlib stream with 400 rather than drop it', async () => {
    const { receiver, clock } = await start();
    const payload = Buffer.from(protobufPayload(httpBatch(10, clock.now())));
    const half = payload.length >> 1;
    const streams = Buffer.concat([
      deflateSync(payload.subarray(0, half)),
      deflateSync(payload.subarray(half)),
    ]);
    const response = await post(receiver.url, PROTOBUF, 'deflate', streams);
    expect([response.status, statusOf(response)]).toEqual([
      400,
      { code: 3, message: 'deflate body: bytes after the end of the zlib stream (send one stream)' },
    ]);
    expect(receiver.stats()).toMatchObject({ spansReceived: 0, refused: { bad_request: 1 } });
  });

  it('should refuse a zstd frame whose window is over 8 MiB (and the limit) with 400, reserving nothing', async () => {
    const { receiver, clock } = await start();
    const body = await zstdStream(Buffer.from(protobufPayload(httpBatch(5, clock.now()))), 27);
    const response = await post(receiver.url, PROTOBUF, 'zstd', body);
    expect([response.status, statusOf(response)]).toEqual([
      400,
      { code: 3, message: 'malformed zstd body: Frame requires too much memory for decoding' },
    ]);
  });

  it.each(['br', 'snappy', 'gzip, zstd'])('should answer Content-Encoding %s with 415', async (coding) => {
    const { receiver } = await start();
    const response = await post(receiver.url, PROTOBUF, coding, Buffer.from('x'));
    expect([response.status, statusOf(response)]).toEqual([
      415,
      { code: 3, message: `unsupported content encoding ${coding}: use gzip, zstd, deflate or none` },
    ]);
  });
});
