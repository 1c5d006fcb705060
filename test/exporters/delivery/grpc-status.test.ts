import { describe, expect, it } from 'vitest';
import { classifyGrpcFailure } from '../../../exporters/delivery/grpc-status.ts';
import { statusWithRetryInfo } from '../../helpers/otlp-grpc-sink.ts';

const UNAVAILABLE = 14;
const RESOURCE_EXHAUSTED = 8;

/** A google.rpc.Status with one Any detail of `typeUrl` holding `value`. */
function statusWithDetail(typeUrl: string, value: Buffer): Buffer {
  const url = Buffer.from(typeUrl);
  const any = Buffer.concat([Buffer.from([0x0a, url.length]), url, Buffer.from([0x12, value.length]), value]);
  return Buffer.concat([Buffer.from([0x08, RESOURCE_EXHAUSTED, 0x1a, any.length]), any]);
}

describe('classifyGrpcFailure', () => {
  it.each([
    ['a RetryInfo delay of 0', statusWithRetryInfo(RESOURCE_EXHAUSTED, 0), 0],
    [
      'a delay over a day, bounded to a day',
      statusWithRetryInfo(RESOURCE_EXHAUSTED, 3 * 86_400_000),
      86_400_000,
    ],
    [
      'a RetryInfo without retry_delay, as a delay of 0',
      statusWithDetail('type.googleapis.com/google.rpc.RetryInfo', Buffer.alloc(0)),
      0,
    ],
  ])('should read %s', (_, details, retryAfterMs) => {
    expect(
      classifyGrpcFailure({ code: RESOURCE_EXHAUSTED, details: 'busy', statusDetails: details }),
    ).toEqual({ status: 'retryable', retryAfterMs, error: new Error(`gRPC status 8: busy`) });
  });

  it.each([
    [
      'another detail type',
      statusWithDetail('type.googleapis.com/google.rpc.DebugInfo', Buffer.from([0x08, 1])),
    ],
    ['a length past the end', Buffer.from([0x1a, 0x10, 0x01])],
    ['a truncated varint', Buffer.from([0x08, 0x80])],
    ['a varint over 10 bytes', Buffer.from([0x08, ...Array(11).fill(0xff)])],
    ['a group wire type', Buffer.from([0x0b])],
    ['fixed64 and fixed32 fields only', Buffer.from([0x09, ...Array(8).fill(0), 0x15, 0, 0, 0, 0])],
  ])(
    'should read %s as no RetryInfo: RESOURCE_EXHAUSTED is then not retryable, UNAVAILABLE is',
    (_, details) => {
      expect([
        classifyGrpcFailure({ code: RESOURCE_EXHAUSTED, details: 'busy', statusDetails: details }),
        classifyGrpcFailure({ code: UNAVAILABLE, details: 'down', statusDetails: details }),
      ]).toEqual([
        { status: 'failure', error: new Error('gRPC status 8: busy') },
        { status: 'retryable', error: new Error('gRPC status 14: down') },
      ]);
    },
  );
});
