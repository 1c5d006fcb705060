import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { compressionOf, maxCompressedBytes } from '../../../collector/receiver/content-coding.ts';
import { encodingOf, screenRequest } from '../../../collector/receiver/request-screen.ts';

function requestOf(
  headers: Record<string, string>,
  method = 'POST',
  url = '/v1/traces?x=1',
): IncomingMessage {
  return { method, url, headers } as unknown as IncomingMessage;
}

describe('screenRequest', () => {
  it('should accept both endpoints, ignoring the query string', () => {
    const headers = { 'content-type': 'application/json', 'content-length': '10' };
    expect(screenRequest(requestOf(headers), 100, false)).toEqual({
      route: 'traces',
      encoding: 'json',
      compression: 'none',
    });
    expect(screenRequest(requestOf(headers, 'POST', '/v1/metrics'), 100, false)).toMatchObject({
      route: 'metrics',
    });
  });

  it('should refuse new requests with 503 while the receiver closes', () => {
    expect(screenRequest(requestOf({ 'content-type': 'application/x-protobuf' }), 100, true)).toEqual({
      refusal: {
        status: 503,
        encoding: 'protobuf',
        message: 'the receiver is shutting down: retry later',
        reason: 'closing',
        headers: { connection: 'close' },
      },
    });
  });

  it('should judge a declared compressed length against the largest compressed body the limit allows', () => {
    const gzip = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
    const atBound = { ...gzip, 'content-length': String(maxCompressedBytes(1000)) };
    const pastBound = { ...gzip, 'content-length': String(maxCompressedBytes(1000) + 1) };
    expect(screenRequest(requestOf(atBound), 1000, false)).toMatchObject({ compression: 'gzip' });
    expect(screenRequest(requestOf(pastBound), 1000, false)).toMatchObject({ refusal: { status: 413 } });
  });
});

describe('encodingOf and compressionOf', () => {
  it.each([
    ['application/x-protobuf', 'protobuf'],
    ['Application/JSON; charset=utf-8', 'json'],
    [' application/json ', 'json'],
    ['application/protobuf', undefined],
    ['text/json', undefined],
    [undefined, undefined],
  ])('should read Content-Type %s as %s', (contentType, encoding) => {
    expect(encodingOf(contentType)).toBe(encoding);
  });

  it.each([
    [undefined, 'none'],
    ['identity', 'none'],
    ['GZIP', 'gzip'],
    ['x-gzip', 'gzip'],
    [' zstd ', 'zstd'],
    ['Deflate', 'deflate'],
    ['zlib', 'deflate'],
    ['br', undefined],
    ['snappy', undefined],
    ['gzip, br', undefined],
  ])('should read Content-Encoding %s as %s', (contentEncoding, compression) => {
    expect(compressionOf(contentEncoding)).toBe(compression);
  });
});
