import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { decodeTracesJson } from '../../../collector/receiver/json-trace-decoder.ts';
import { decodeTracesWire } from '../../../collector/receiver/wire-trace-decoder.ts';
import { httpBatch, jsonPayload, protobufPayload, spansOf } from './otlp-fixtures.ts';

const T = 1_700_000_000_000;
const TRACE_ID = '5B8EFFF798038103D269B633813FC60C';
const SPAN_ID = 'EEE19B7EC3C1B174';

function decode(json: unknown) {
  return decodeTracesJson(Buffer.from(typeof json === 'string' ? json : JSON.stringify(json)));
}

function oneSpan(span: Record<string, unknown>, resource: unknown = { attributes: [] }) {
  return { resourceSpans: [{ resource, scopeSpans: [{ scope: { name: 's' }, spans: [span] }] }] };
}

describe('decodeTracesJson', () => {
  it('should decode what the official JsonTraceSerializer writes exactly as the protobuf of the same spans', () => {
    const batch = httpBatch(20, T, { service: 'checkout', namespace: 'shop' });
    const mixed = spansOf({ service: 'cart' }, [
      {
        name: 'x',
        kind: SpanKind.CONSUMER,
        startMs: T - 10.5,
        endMs: T - 0.25,
        attributes: { n: -3 },
        error: true,
      },
    ]);
    for (const spans of [batch, mixed]) {
      expect(decodeTracesJson(jsonPayload(spans))).toEqual(decodeTracesWire(protobufPayload(spans)));
    }
  });

  it('should accept upper-case hex ids, numbers for int64, null for absent fields and ignore unknown keys', () => {
    const decoded = decode(
      oneSpan(
        {
          traceId: TRACE_ID,
          spanId: SPAN_ID,
          name: 'op',
          kind: 0,
          startTimeUnixNano: 1_000_000,
          endTimeUnixNano: '3000000',
          status: null,
          parentSpanId: null,
          somethingNew: { nested: true },
          attributes: [
            { key: 'i', value: { intValue: '-42' } },
            { key: 'd', value: { doubleValue: 'Infinity' } },
            { key: 'n', value: { doubleValue: 'NaN' } },
            { key: 'a', value: { arrayValue: { values: [{ stringValue: 'x' }] } } },
            { key: 'empty', value: {} },
            { key: 'none', value: null },
          ],
        },
        { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
      ),
    );
    expect(decoded).toEqual({
      ok: true,
      value: {
        spanCount: 1,
        resources: [
          {
            service: 'svc',
            namespace: '',
            scopes: [
              {
                scopeName: 's',
                spans: [
                  {
                    name: 'op',
                    kind: SpanKind.INTERNAL,
                    startTimeMs: 1,
                    endTimeMs: 3,
                    statusCode: 0,
                    attributes: { i: -42, d: Number.POSITIVE_INFINITY, n: Number.NaN },
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

  it('should mark invalid ids without refusing the request', () => {
    const ids = [
      [TRACE_ID, SPAN_ID],
      [TRACE_ID.slice(2), SPAN_ID],
      ['00000000000000000000000000000000', SPAN_ID],
      [TRACE_ID, 'zzzzzzzzzzzzzzzz'],
      [TRACE_ID, ''],
    ];
    const spans = ids.map(([traceId, spanId]) => ({ traceId, spanId }));
    const decoded = decode({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
    expect(decoded.ok && decoded.value.resources[0]?.scopes[0]?.spans.map((s) => s.idsValid)).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);
  });

  it('should read an empty object as no resources', () => {
    expect(decode({})).toEqual({ ok: true, value: { resources: [], spanCount: 0 } });
  });

  it('should refuse text that is not JSON with the parser message', () => {
    const text = '{"resourceSpans": [';
    let parserMessage = '';
    try {
      JSON.parse(text);
    } catch (error) {
      parserMessage = (error as Error).message;
    }
    expect(decode(text)).toEqual({ ok: false, reason: `malformed JSON: ${parserMessage}` });
  });

  it.each([
    ['an array root', [], 'malformed JSON: the request must be a JSON object'],
    [
      'a non-array resourceSpans',
      { resourceSpans: {} },
      'invalid OTLP JSON: resourceSpans: expected an array',
    ],
    ['a non-object item', { resourceSpans: [1] }, 'invalid OTLP JSON: resourceSpans[0]: expected an object'],
    [
      'a numeric name',
      oneSpan({ name: 42 }),
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].name: expected a string',
    ],
    [
      'an enum name for kind',
      oneSpan({ kind: 'SPAN_KIND_SERVER' }),
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].kind: expected an integer',
    ],
    [
      'a negative time',
      oneSpan({ startTimeUnixNano: '-1' }),
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: expected unix nanoseconds as a decimal string or number',
    ],
    [
      'a time beyond 64 bits',
      oneSpan({ endTimeUnixNano: '18446744073709551616' }),
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano: expected unix nanoseconds as a decimal string or number',
    ],
    [
      'a numeric trace id',
      oneSpan({ traceId: 7 }),
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].traceId: expected a hex string',
    ],
    [
      'a string status',
      oneSpan({ status: 'ERROR' }),
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].status: expected an object',
    ],
    [
      'a string boolean',
      oneSpan({ attributes: [{ key: 'b', value: { boolValue: 'true' } }] }),
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.boolValue: expected a boolean',
    ],
    [
      'a fractional int',
      oneSpan({ attributes: [{ key: 'i', value: { intValue: 1.5 } }] }),
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue: expected an integer as a decimal string or number',
    ],
    [
      'a resource attribute key that is not a string',
      { resourceSpans: [{ resource: { attributes: [{ key: 1 }] } }] },
      'invalid OTLP JSON: resourceSpans[0].resource.attributes[0].key: expected a string',
    ],
  ])('should refuse %s with the path in the reason', (_, json, reason) => {
    expect(decode(json)).toEqual({ ok: false, reason });
  });
});
