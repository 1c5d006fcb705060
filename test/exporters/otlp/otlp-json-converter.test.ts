import { AggregationTemporality } from '@opentelemetry/sdk-metrics';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { OtlpJsonConverter } from '../../../exporters/otlp/otlp-json-converter.ts';
import { fieldRules } from '../../../exporters/otlp/otlp-json-fields.ts';
import { otlpRoot } from '../../../exporters/otlp/otlp-proto-definitions.ts';
import {
  decodeFull,
  richMetrics,
  richSpans,
  serializeMetrics,
  serializeSpans,
} from './otlp-full-fixtures.ts';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** The converted request decoded with the full definitions; fails the test with the reason otherwise. */
function converted(signal: 'traces' | 'metrics', body: Uint8Array): Record<string, unknown> {
  const result = new OtlpJsonConverter(signal).convert(body);
  if (!result.ok) throw new Error(result.reason);
  return decodeFull(signal, result.body);
}

function reason(signal: 'traces' | 'metrics', body: Uint8Array): string | undefined {
  const result = new OtlpJsonConverter(signal).convert(body);
  return result.ok ? undefined : result.reason;
}

/** A trace request with one span holding `span`'s fields. */
const oneSpan = (span: object) => ({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
/** What {@link oneSpan} decodes to. */
const decodedSpan = (span: object) => ({ resource_spans: [{ scope_spans: [{ spans: [span] }] }] });

describe('OtlpJsonConverter against the official serializers', () => {
  it('should turn the official JSON of spans into the message the official protobuf holds (events, links, every value type)', () => {
    const { json: body, protobuf: official } = serializeSpans(richSpans());
    const decoded = converted('traces', body);
    expect(decoded).toEqual(decodeFull('traces', official));
    const server = (decoded as { resource_spans: { scope_spans: { spans: unknown[] }[] }[] })
      .resource_spans[0]?.scope_spans[0]?.spans[1];
    expect(server).toMatchObject({
      trace_id: 'hex:5b8efff798038103d269b633813fc60c',
      parent_span_id: 'hex:eee19b7ec3c1b174',
      trace_state: 'vendor=a,other=b',
      flags: 769,
      kind: 2,
      start_time_unix_nano: '1700000001123456789',
      end_time_unix_nano: '1700000002987654321',
      dropped_attributes_count: 1,
      dropped_events_count: 1,
      status: { message: 'upstream timeout', code: 2 },
      events: [
        { name: 'cache.miss', time_unix_nano: '1700000001200000000', dropped_attributes_count: 1 },
        { name: 'retry', time_unix_nano: '1700000001300000000' },
      ],
      links: [{ attributes: [{ key: 'link.kind' }], dropped_attributes_count: 1, flags: 257 }],
    });
    const values = (server as { attributes: { key: string; value: { value?: string } }[] }).attributes.map(
      ({ key, value }) => [key, value.value],
    );
    expect(values).toEqual([
      ['string', 'string_value'],
      ['int', 'int_value'],
      ['negative', 'int_value'],
      ['big', 'int_value'],
      ['double', 'double_value'],
      ['bool', 'bool_value'],
      ['strings', 'array_value'],
      ['ints', 'array_value'],
      ['mixed', 'array_value'],
      ['nested', 'array_value'],
      ['holes', 'array_value'],
      ['kvlist', 'kvlist_value'],
      ['bytes', 'bytes_value'],
      ['empty', 'string_value'],
    ]);
  });

  it.each([
    ['cumulative', AggregationTemporality.CUMULATIVE],
    ['delta', AggregationTemporality.DELTA],
  ])(
    'should turn the official JSON of %s metrics of every SDK type into the official protobuf message',
    async (_, temporality) => {
      const { json: body, protobuf: official } = serializeMetrics(await richMetrics(temporality));
      const decoded = converted('metrics', body);
      expect(decoded).toEqual(decodeFull('metrics', official));
      const metrics = (
        decoded as { resource_metrics: { scope_metrics: { metrics: { name: string; data: string }[] }[] }[] }
      ).resource_metrics[0]?.scope_metrics[0]?.metrics;
      expect(metrics?.map((metric) => [metric.name, metric.data])).toEqual([
        ['latency.exp', 'exponential_histogram'],
        ['requests', 'sum'],
        ['inflight', 'sum'],
        ['level', 'gauge'],
        ['ratio', 'gauge'],
        ['latency', 'histogram'],
        ['cpu.time', 'sum'],
      ]);
    },
  );
});

describe('OtlpJsonConverter on the fields the JS SDK does not write', () => {
  it('should convert summaries, exemplars, metadata, flags, zero thresholds, negative buckets and entity refs', () => {
    const ids = { traceId: 'AABBCCDDEEFF00112233445566778899', spanId: '0011223344556677' };
    const point = { timeUnixNano: '1700000000000000001', startTimeUnixNano: 1700000000000000000 };
    const body = json({
      resourceMetrics: [
        {
          resource: {
            entityRefs: [
              { schemaUrl: 's', type: 'host', idKeys: ['host.id'], descriptionKeys: ['host.name'] },
            ],
          },
          schemaUrl: 'https://example.com/r',
          scopeMetrics: [
            {
              scope: {
                name: 'm',
                attributes: [{ key: 'a', value: { stringValueStrindex: 3 } }],
                droppedAttributesCount: 2,
              },
              metrics: [
                {
                  name: 'rpc.latency',
                  metadata: [{ key: 'origin', value: { stringValue: 'prometheus' } }],
                  summary: {
                    dataPoints: [
                      {
                        ...point,
                        count: '7',
                        sum: 'Infinity',
                        quantileValues: [
                          { quantile: 0.5, value: '1.5' },
                          { quantile: 1, value: 'NaN' },
                        ],
                        flags: 1,
                      },
                    ],
                  },
                },
                {
                  name: 'hits',
                  sum: {
                    aggregationTemporality: 1,
                    isMonotonic: true,
                    dataPoints: [
                      {
                        ...point,
                        asInt: '-9223372036854775808',
                        exemplars: [
                          {
                            ...ids,
                            asDouble: '-Infinity',
                            filteredAttributes: [{ key: 'k', value: { boolValue: true } }],
                          },
                        ],
                      },
                    ],
                  },
                },
                {
                  name: 'sizes',
                  exponentialHistogram: {
                    aggregationTemporality: 2,
                    dataPoints: [
                      {
                        count: '18446744073709551615',
                        zeroThreshold: 1e-9,
                        scale: -2,
                        negative: { offset: -3, bucketCounts: ['1', 2] },
                        exemplars: [{ asInt: 5, timeUnixNano: '1' }],
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    expect(converted('metrics', body)).toEqual({
      resource_metrics: [
        {
          resource: {
            entity_refs: [
              { schema_url: 's', type: 'host', id_keys: ['host.id'], description_keys: ['host.name'] },
            ],
          },
          schema_url: 'https://example.com/r',
          scope_metrics: [
            {
              scope: {
                name: 'm',
                attributes: [
                  { key: 'a', value: { string_value_strindex: 3, value: 'string_value_strindex' } },
                ],
                dropped_attributes_count: 2,
              },
              metrics: [
                {
                  name: 'rpc.latency',
                  metadata: [{ key: 'origin', value: { string_value: 'prometheus', value: 'string_value' } }],
                  data: 'summary',
                  summary: {
                    data_points: [
                      {
                        time_unix_nano: '1700000000000000001',
                        start_time_unix_nano: '1700000000000000000',
                        count: '7',
                        sum: Number.POSITIVE_INFINITY,
                        quantile_values: [
                          { quantile: 0.5, value: 1.5 },
                          { quantile: 1, value: Number.NaN },
                        ],
                        flags: 1,
                      },
                    ],
                  },
                },
                {
                  name: 'hits',
                  data: 'sum',
                  sum: {
                    aggregation_temporality: 1,
                    is_monotonic: true,
                    data_points: [
                      {
                        time_unix_nano: '1700000000000000001',
                        start_time_unix_nano: '1700000000000000000',
                        as_int: '-9223372036854775808',
                        value: 'as_int',
                        exemplars: [
                          {
                            trace_id: 'hex:aabbccddeeff00112233445566778899',
                            span_id: 'hex:0011223344556677',
                            as_double: Number.NEGATIVE_INFINITY,
                            value: 'as_double',
                            filtered_attributes: [
                              { key: 'k', value: { bool_value: true, value: 'bool_value' } },
                            ],
                          },
                        ],
                      },
                    ],
                  },
                },
                {
                  name: 'sizes',
                  data: 'exponential_histogram',
                  exponential_histogram: {
                    aggregation_temporality: 2,
                    data_points: [
                      {
                        count: '18446744073709551615',
                        zero_threshold: 1e-9,
                        scale: -2,
                        negative: { offset: -3, bucket_counts: ['1', '2'] },
                        exemplars: [{ as_int: '5', value: 'as_int', time_unix_nano: '1' }],
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it('should read OTLP/JSON as the specification has it: hex ids in any case, integer enums, 64-bit numbers or strings (an empty id is absent, as in proto3)', () => {
    const body = json(
      oneSpan({
        traceId: '5B8EFFF798038103d269b633813fc60c',
        spanId: 'EEE19B7EC3C1B174',
        parentSpanId: '',
        kind: 5,
        startTimeUnixNano: 1700000000000,
        endTimeUnixNano: '1700000000000000123',
        flags: 4294967295,
        status: { code: 1 },
        attributes: [
          { key: 'n', value: { intValue: -5 } },
          { key: 'b', value: { bytesValue: 'AQL_-w' } },
        ],
      }),
    );
    expect(converted('traces', body)).toEqual(
      decodedSpan({
        trace_id: 'hex:5b8efff798038103d269b633813fc60c',
        span_id: 'hex:eee19b7ec3c1b174',
        kind: 5,
        start_time_unix_nano: '1700000000000',
        end_time_unix_nano: '1700000000000000123',
        flags: 4294967295,
        status: { code: 1 },
        attributes: [
          { key: 'n', value: { int_value: '-5', value: 'int_value' } },
          { key: 'b', value: { bytes_value: 'hex:0102fffb', value: 'bytes_value' } },
        ],
      }),
    );
  });

  it('should take the original snake_case names too, ignore unknown keys and read null as absent', () => {
    const body = json({
      resource_spans: [
        {
          scope_spans: [
            { spans: [{ span_id: '0102030405060708', name: 'a', droppedEventsCount: 2, status: null }] },
          ],
          futureField: { anything: [1, 2] },
        },
      ],
      extra: 'ignored',
    });
    expect(converted('traces', body)).toEqual(
      decodedSpan({ span_id: 'hex:0102030405060708', name: 'a', dropped_events_count: 2 }),
    );
  });

  it('should convert an empty request to an empty message', () => {
    const result = new OtlpJsonConverter('traces').convert(json({}));
    expect(result.ok && result.body.byteLength).toBe(0);
  });
});

describe('OtlpJsonConverter on requests it cannot convert', () => {
  it.each([
    ['not JSON', Buffer.from('{"resourceSpans": ['), /^malformed JSON: /],
    ['not an object', json([1]), 'invalid OTLP JSON: the request: expected an object'],
    [
      'a list that is not an array',
      json({ resourceSpans: {} }),
      'invalid OTLP JSON: resourceSpans: expected an array',
    ],
    [
      'a null in a list',
      json({ resourceSpans: [null] }),
      'invalid OTLP JSON: resourceSpans[0]: expected a value (not null)',
    ],
    [
      'a non-hex trace id',
      json(oneSpan({ traceId: 'zz' })),
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].traceId: expected a hex string',
    ],
    [
      'an odd-length span id',
      json(oneSpan({ spanId: 'abc' })),
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].spanId: expected a hex string',
    ],
    [
      'an enum by name',
      json(oneSpan({ kind: 'SPAN_KIND_SERVER' })),
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].kind: expected an integer in [-2147483648, 2147483647]',
    ],
    [
      'a fractional int64',
      json(oneSpan({ attributes: [{ key: 'k', value: { intValue: '1.5' } }] })),
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue: expected a 64-bit integer as a decimal string or number',
    ],
    [
      'a negative fixed64',
      json(oneSpan({ endTimeUnixNano: '-1' })),
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano: expected a 64-bit integer as a decimal string or number',
    ],
    [
      'a uint32 out of range',
      json(oneSpan({ droppedLinksCount: 2 ** 32 })),
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].droppedLinksCount: expected an integer in [0, 4294967295]',
    ],
    [
      'bad base64 bytes',
      json(oneSpan({ attributes: [{ value: { bytesValue: 'a b' } }] })),
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.bytesValue: expected a base64 string',
    ],
    [
      'a string that is a number',
      json(oneSpan({ name: 5 })),
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].name: expected a string',
    ],
    [
      'a bool that is a string',
      json(oneSpan({ attributes: [{ value: { boolValue: 'true' } }] })),
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.boolValue: expected a boolean',
    ],
    [
      'a double that is not a number',
      json(oneSpan({ attributes: [{ value: { doubleValue: 'x' } }] })),
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.doubleValue: expected a number',
    ],
    [
      'two members of a oneof',
      json(oneSpan({ attributes: [{ value: { stringValue: 'a', intValue: 1 } }] })),
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue: expected one field of value (stringValue is set too)',
    ],
    [
      'a field under both names',
      json(oneSpan({ spanId: '01', span_id: '02' })),
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].span_id: expected one key per field (it is set twice)',
    ],
    [
      'a message that is a string',
      json(oneSpan({ status: 'ok' })),
      'invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].status: expected an object',
    ],
  ])('should refuse %s with the path of the value, as a value', (_, body, expected) => {
    if (expected instanceof RegExp) expect(reason('traces', body)).toMatch(expected);
    else expect(reason('traces', body)).toBe(expected);
  });

  it('should refuse values nested deeper than the stack as a value, not a throw', () => {
    const depth = 100_000;
    const value = `${'{"arrayValue":{"values":['.repeat(depth)}{"stringValue":"leaf"}${']}}'.repeat(depth)}`;
    const body = Buffer.from(
      `{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"deep","value":${value}}]}]}]}]}`,
    );
    expect(reason('traces', body)).toMatch(/^invalid OTLP JSON: Maximum call stack size exceeded/);
  });
});

describe('the OTLP definitions', () => {
  it('should give every field of every message a JSON rule under its lowerCamelCase and its original name', () => {
    const missing: string[] = [];
    const visit = (namespace: protobuf.NamespaceBase): void => {
      for (const nested of namespace.nestedArray) {
        if (nested instanceof protobuf.Type) {
          const rules = fieldRules(nested);
          for (const field of nested.fieldsArray) {
            const camel = field.name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
            const rule = rules.get(camel);
            if (
              rule === undefined ||
              rules.get(field.name) !== rule ||
              (rule.message === undefined && typeof rule.scalar !== 'function')
            )
              missing.push(`${nested.fullName}.${field.name}`);
          }
        }
        if (nested instanceof protobuf.Namespace) visit(nested);
      }
    };
    visit(otlpRoot());
    expect(missing).toEqual([]);
  });
});
