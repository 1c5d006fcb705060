import { describe, expect, it } from 'vitest';
import { decodeTracesJson } from '../../../collector/receiver/json-trace-decoder.ts';
import type { DecodedTraces, DecodeResult } from '../../../collector/receiver/types.ts';
import { decodeTracesWire } from '../../../collector/receiver/wire-trace-decoder.ts';
import { writeJson } from '../../../fuzz/json-mutations.ts';
import { tracesJson } from '../../../fuzz/otlp-json.ts';
import type { KeyValue, SpanModel, TracesModel } from '../../../fuzz/otlp-model.ts';
import { tracesFields } from '../../../fuzz/otlp-protobuf.ts';
import { type PbField, serialize } from '../../../fuzz/protobuf-tree.ts';
import { decodeTracesProtobufjs } from './protobufjs-trace-decoder.ts';

const SPAN: SpanModel = {
  traceId: Uint8Array.from({ length: 16 }, (_, i) => i + 1),
  spanId: Uint8Array.from({ length: 8 }, (_, i) => i + 1),
  name: 'op',
  kind: 2,
  startNs: 1_700_000_000_000_000_000n,
  endNs: 1_700_000_000_005_000_000n,
  attributes: [],
  statusCode: 2,
};

function model(resource: KeyValue[], span: SpanModel = SPAN): TracesModel {
  return [{ attributes: resource, scopes: [{ scopeName: 's', items: [span] }] }];
}

/** What each decoder reads from the same request: protobuf (ours, protobufjs) and JSON. */
function decodeAll(request: TracesModel) {
  const protobuf = serialize(tracesFields(request));
  const identity = (result: DecodeResult<DecodedTraces>) =>
    result.ok
      ? result.value.resources.map(({ service, namespace }) => ({ service, namespace }))
      : result.reason;
  return {
    wire: identity(decodeTracesWire(protobuf)),
    protobufjs: identity(decodeTracesProtobufjs(protobuf)),
    json: identity(decodeTracesJson(writeJson(tracesJson(request)))),
  };
}

const name = (value: KeyValue['value']): KeyValue => ({ key: 'service.name', value });
const namespace = (value: KeyValue['value']): KeyValue => ({ key: 'service.namespace', value });

describe('OTLP decoders agreeing on a service identity', () => {
  it.each([
    ['a repeated name: the last one', [name({ string: 'a' }), name({ string: 'b' })], 'b', ''],
    ['a name repeated as an int: none', [name({ string: 'a' }), name({ int: 5n })], 'unknown_service', ''],
    ['a name repeated as a bool: none', [name({ string: 'a' }), name({ bool: true })], 'unknown_service', ''],
    [
      'a name repeated as an array: the string',
      [name({ string: 'a' }), name({ array: [{ string: 'b' }] })],
      'a',
      '',
    ],
    [
      'a name repeated as bytes: the string',
      [name({ string: 'a' }), name({ bytes: Buffer.from('b') })],
      'a',
      '',
    ],
    [
      'a name repeated without a value: the string',
      [name({ string: 'a' }), { key: 'service.name' }],
      'a',
      '',
    ],
    [
      'a repeated namespace: the last one',
      [name({ string: 'a' }), namespace({ string: 'x' }), namespace({ string: 'y' })],
      'a',
      'y',
    ],
    [
      'a namespace repeated as a double: none',
      [name({ string: 'a' }), namespace({ string: 'x' }), namespace({ double: 1 })],
      'a',
      '',
    ],
  ])('should read %s, whatever the encoding', (_, attributes, service, ns) => {
    const expected = [{ service, namespace: ns }];
    expect(decodeAll(model(attributes))).toEqual({ wire: expected, protobufjs: expected, json: expected });
  });

  it.each([
    ['a high surrogate alone', 'lone\ud800', 'lone\ufffd'],
    ['a low surrogate alone', '\udc00', '\ufffd'],
    ['a lone surrogate inside', 'a\ud800b', 'a\ufffdb'],
    ['two high surrogates', '\ud800\ud800x', '\ufffd\ufffdx'],
    ['a pair reversed', '\udc00\ud800', '\ufffd\ufffd'],
    ['a valid pair (kept)', 'caf\u00e9 \ud83d\ude00', 'caf\u00e9 \ud83d\ude00'],
  ])(
    'should read a name with %s as U+FFFD, whatever the encoding (JSON can spell it; UTF-8 cannot)',
    (_, raw, read) => {
      const expected = [{ service: read, namespace: read }];
      const request = model([name({ string: raw }), namespace({ string: raw })]);
      expect(decodeAll(request)).toEqual({ wire: expected, protobufjs: expected, json: expected });
      const json = decodeTracesJson(
        writeJson(tracesJson(model([name({ string: 'a' })], { ...SPAN, name: raw }))),
      );
      expect(json.ok && json.value.resources[0]!.scopes[0]!.spans[0]!.name).toBe(read);
    },
  );

  it.each([
    [2, 2],
    [2 ** 32 + 2, 2],
    [2 ** 31, -(2 ** 31)],
    [2 ** 32 - 1, -1],
    [-1, -1],
  ])('should read status code varint %s as the int32 %s, as protobufjs does', (code, expected) => {
    const body = serialize(tracesFields(model([name({ string: 'a' })], { ...SPAN, statusCode: code })));
    const codes = [decodeTracesWire(body), decodeTracesProtobufjs(body)].map((result) =>
      result.ok ? result.value.resources[0]!.scopes[0]!.spans[0]!.statusCode : result.reason,
    );
    expect(codes).toEqual([expected, expected]);
  });

  it.each([1n, 2n ** 32n, 2n ** 35n, 2n ** 63n, 0n])(
    'should read a bool attribute whose varint is %s as protobufjs does',
    (bits) => {
      const span = { ...SPAN, attributes: [{ key: 'flag', value: { int: bits } }] };
      const fields = tracesFields(model([name({ string: 'a' })], span));
      // The attribute's AnyValue holds int_value = 3; make it bool_value = 2, same varint.
      const anyValue = findField(fields, [1, 2, 2, 9, 2]);
      anyValue.no = 2;
      const body = serialize(fields);
      const flags = [decodeTracesWire(body), decodeTracesProtobufjs(body)].map((result) =>
        result.ok ? result.value.resources[0]!.scopes[0]!.spans[0]!.attributes.flag : result.reason,
      );
      expect(flags).toEqual([bits !== 0n, bits !== 0n]);
    },
  );
});

/** The first field along a path of field numbers (the last one is a field inside the last message). */
function findField(fields: PbField[], path: readonly number[]): PbField {
  let list = fields;
  for (const [i, no] of path.entries()) {
    const field = list.find((candidate) => candidate.no === no)!;
    if (i === path.length - 1) return field.value.type === 'message' ? field.value.fields[0]! : field;
    if (field.value.type !== 'message') throw new Error(`field ${no} is not a message`);
    list = field.value.fields;
  }
  throw new Error('empty path');
}
