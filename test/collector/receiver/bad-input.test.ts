import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { JSON_TYPE, LIMIT, limitedReceivers, PROTOBUF, post, send, statusOf } from './receiver-harness.ts';

const start = limitedReceivers();

describe('OTLP/HTTP receiver on bad input', () => {
  it.each([
    [
      'malformed protobuf',
      PROTOBUF,
      Buffer.from([0x0a, 0x05, 0x01]),
      'malformed protobuf: length 5 runs past the end at byte 2',
    ],
    ['malformed JSON', JSON_TYPE, '{"resourceSpans": [}', 'malformed JSON: '],
    [
      'JSON of the wrong shape',
      JSON_TYPE,
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":42}]}]}]}',
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].name: expected a string',
    ],
  ])('should answer %s with 400 and the reason in a Status', async (_, contentType, body, reason) => {
    const { receiver } = await start();
    const response = await post(receiver.url, contentType, body);
    expect([response.status, response.headers['content-type']]).toEqual([400, contentType]);
    const status = statusOf(response);
    expect(status.code).toBe(3);
    if (reason.endsWith(': ')) expect(status.message.startsWith(reason)).toBe(true);
    else expect(status.message).toBe(reason);
    expect(receiver.stats().refused.bad_request).toBe(1);
  });

  it('should answer a gzip body that is not gzip with 400', async () => {
    const { receiver } = await start();
    const response = await send(receiver.url, {
      headers: { 'content-type': PROTOBUF, 'content-encoding': 'gzip' },
      body: 'plain text',
    });
    expect(response.status).toBe(400);
    expect(statusOf(response).message).toBe('malformed gzip body: incorrect header check');
  });

  it.each([
    [
      'an unknown content type',
      { 'content-type': 'text/plain' },
      'unsupported content type text/plain: use application/x-protobuf or application/json',
    ],
    [
      'no content type',
      {},
      'unsupported content type (none): use application/x-protobuf or application/json',
    ],
    [
      'an unknown content encoding',
      { 'content-type': PROTOBUF, 'content-encoding': 'br' },
      'unsupported content encoding br: use gzip, zstd, deflate or none',
    ],
  ])('should answer %s with 415', async (_, headers, message) => {
    const { receiver } = await start();
    const response = await send(receiver.url, { headers, body: 'x' });
    expect(response.status).toBe(415);
    expect(statusOf(response)).toEqual({ code: 3, message });
    expect(receiver.stats().refused.unsupported_media_type).toBe(1);
  });

  it('should answer a body over the limit with 413 before reading it, declared or streamed', async () => {
    const { receiver } = await start();
    const declared = await post(receiver.url, PROTOBUF, Buffer.alloc(LIMIT + 1));
    expect([declared.status, declared.headers.connection]).toEqual([413, 'close']);
    expect(statusOf(declared)).toEqual({ code: 8, message: `request body exceeds ${LIMIT} bytes` });
    const streamed = await send(receiver.url, {
      headers: { 'content-type': PROTOBUF, 'transfer-encoding': 'chunked' },
      body: Buffer.alloc(LIMIT + 1),
    });
    expect(streamed.status).toBe(413);
    expect(receiver.stats().refused.too_large).toBe(2);
  });

  it('should refuse a gzip bomb with 413 once the inflated bytes pass the limit', async () => {
    const { receiver } = await start();
    const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(20 * 1024); // 16 MiB of zeros in about 16 KiB
    const small = gzipSync(Buffer.alloc(4 * LIMIT));
    for (const body of [bomb, small]) {
      const response = await send(receiver.url, {
        headers: { 'content-type': PROTOBUF, 'content-encoding': 'gzip' },
        body,
      });
      expect(response.status).toBe(413);
      expect(statusOf(response).message).toBe(`request body exceeds ${LIMIT} bytes`);
    }
  });

  it('should answer other methods with 405 and Allow, other paths with 404', async () => {
    const { receiver } = await start();
    const get = await send(receiver.url, { method: 'GET' });
    expect([get.status, get.headers.allow, get.headers['content-type']]).toEqual([405, 'POST', JSON_TYPE]);
    expect(statusOf(get)).toEqual({ code: 12, message: 'method GET is not allowed on /v1/traces: use POST' });
    const logs = await post(receiver.url, PROTOBUF, '', '/v1/logs');
    expect([logs.status, logs.headers['content-type']]).toEqual([404, PROTOBUF]);
    expect(statusOf(logs)).toEqual({
      code: 5,
      message: 'no OTLP endpoint at /v1/logs: use /v1/traces or /v1/metrics',
    });
    expect(receiver.stats()).toMatchObject({
      requests: 2,
      refused: { bad_request: 0, unsupported_media_type: 0 },
    });
  });
});
