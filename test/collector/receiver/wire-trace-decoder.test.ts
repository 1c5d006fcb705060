import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { INVALID_SPAN } from '../../../collector/receiver/types.ts';
import { decodeTracesWire } from '../../../collector/receiver/wire-trace-decoder.ts';
import { httpBatch, protobufPayload, rawRequest, spansOf } from './otlp-fixtures.ts';
import { decodeTracesProtobufjs } from './protobufjs-trace-decoder.ts';

const T = 1_700_000_000_000;

describe('decodeTracesWire', () => {
  it('should decode what the official ProtobufTraceSerializer writes into the compact form', () => {
    const spans = spansOf({ service: 'checkout', namespace: 'shop', scope: 'shop-http' }, [
      {
        name: 'POST /charge',
        kind: SpanKind.SERVER,
        startMs: T - 120,
        endMs: T - 20,
        attributes: { 'http.route': '/charge', 'http.response.status_code': 502, ratio: 0.5, retried: true },
        error: true,
      },
      { name: 'SELECT', kind: SpanKind.CLIENT, startMs: T - 100.25, endMs: T - 60.125 },
    ]);
    expect(decodeTracesWire(protobufPayload(spans))).toEqual({
      ok: true,
      value: {
        spanCount: 2,
        resources: [
          {
            service: 'checkout',
            namespace: 'shop',
            scopes: [
              {
                scopeName: 'shop-http',
                spans: [
                  {
                    name: 'POST /charge',
                    kind: SpanKind.SERVER,
                    startTimeMs: T - 120,
                    endTimeMs: T - 20,
                    statusCode: 2,
                    attributes: {
                      'http.route': '/charge',
                      'http.response.status_code': 502,
                      ratio: 0.5,
                      retried: true,
                    },
                    idsValid: true,
                  },
                  {
                    name: 'SELECT',
                    kind: SpanKind.CLIENT,
                    startTimeMs: T - 100.25,
                    endTimeMs: T - 60.125,
                    statusCode: 0,
                    attributes: {},
                    idsValid: true,
                  },
                ],
              },
            ],
          },
        ],
      },
    });
  });

  it('should agree with the protobufjs decoder on realistic batches', () => {
    for (const count of [1, 7, 100]) {
      const body = protobufPayload(httpBatch(count, T, { service: `svc-${count}`, namespace: 'ns' }));
      expect(decodeTracesWire(body)).toEqual(decodeTracesProtobufjs(body));
    }
  });

  it('should keep negative and large integers, and leave out arrays', () => {
    const spans = spansOf({}, [
      { name: 'op', startMs: T - 2, endMs: T - 1, attributes: { low: -5, big: 2 ** 40, tags: ['a', 'b'] } },
    ]);
    const decoded = decodeTracesWire(protobufPayload(spans));
    expect(decoded.ok && decoded.value.resources[0]?.scopes[0]?.spans[0]?.attributes).toEqual({
      low: -5,
      big: 2 ** 40,
    });
  });

  it('should mark spans with a short, long, missing or all-zero id and read a missing service as unknown_service', () => {
    const body = rawRequest([
      {
        spans: [
          { startMs: T - 2, endMs: T - 1 },
          { traceId: new Uint8Array(15).fill(1) },
          { spanId: new Uint8Array(9).fill(1) },
          { traceId: new Uint8Array(0) },
          { spanId: new Uint8Array(8) },
        ],
      },
    ]);
    const decoded = decodeTracesWire(body);
    if (!decoded.ok) throw new Error(decoded.reason);
    const resource = decoded.value.resources[0]!;
    expect(resource.service).toBe('unknown_service');
    expect(resource.scopes[0]?.spans.map((span) => span.idsValid)).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);
    expect(resource.scopes[0]?.spans.slice(1)).toEqual(new Array(4).fill(INVALID_SPAN));
  });

  it('should decode a body of tiny id-less spans to one shared object, not an object per span', () => {
    // Each span is the 2 bytes `12 00` (an empty Span): a 1 MiB body holds 524 284 of them.
    const spanBytes = new Uint8Array(2 * 262_142).fill(0).map((_, i) => (i % 2 === 0 ? 0x12 : 0x00));
    const scope = Uint8Array.from([0x12, 0xfc, 0xff, 0x1f, ...spanBytes]);
    const body = Uint8Array.from([0x0a, 0x80, 0x80, 0x20, ...scope]);
    const decoded = decodeTracesWire(body);
    if (!decoded.ok) throw new Error(decoded.reason);
    const spans = decoded.value.resources[0]!.scopes[0]!.spans;
    expect(spans.length).toBe(262_142);
    expect(new Set(spans)).toEqual(new Set([INVALID_SPAN]));
  });

  it('should read an empty request as no resources', () => {
    expect(decodeTracesWire(new Uint8Array(0))).toEqual({ ok: true, value: { resources: [], spanCount: 0 } });
  });

  it.each([
    ['a length past the end', [0x0a, 0x05, 0x01], 'malformed protobuf: length 5 runs past the end at byte 2'],
    ['a truncated varint', [0x08, 0x80], 'malformed protobuf: truncated message at byte 2'],
    ['a group wire type', [0x0b], 'malformed protobuf: unsupported wire type 3 at byte 1'],
    ['field number 0', [0x00, 0x01], 'malformed protobuf: invalid field number 0 at byte 1'],
    [
      'an 11-byte varint',
      [0x08, ...new Array(10).fill(0xff), 0x01],
      'malformed protobuf: varint too long at byte 11',
    ],
    [
      'a truncated fixed64 in a span',
      [0x0a, 0x06, 0x12, 0x04, 0x12, 0x02, 0x39, 0x01],
      'malformed protobuf: truncated message at byte 7',
    ],
  ])('should refuse %s with a reason', (_, bytes, reason) => {
    expect(decodeTracesWire(Uint8Array.from(bytes))).toEqual({ ok: false, reason });
  });
});
