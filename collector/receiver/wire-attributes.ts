/**
 * The attributes part of the hand-written OTLP decoder: `KeyValue` (key = 1, value = 2) and the
 * scalar members of `AnyValue` (common/v1/common.proto). Arrays, key-value lists and bytes are
 * skipped without recursion, so nesting depth costs nothing.
 */
import type { Attributes } from '@opentelemetry/api';
import { StringTable } from './string-table.ts';
import type { WireReader } from './wire-reader.ts';

const TAG_1_BYTES = 0x0a;
const TAG_2_BYTES = 0x12;
// AnyValue: string_value = 1, bool_value = 2, int_value = 3 (varints), double_value = 4 (fixed64).
const ANY_STRING = 0x0a;
const ANY_BOOL = 0x10;
const ANY_INT = 0x18;
const ANY_DOUBLE = 0x21;
// array_value = 5, kvlist_value = 6, bytes_value = 7: kept out of the compact form.
const ANY_FIRST_NON_SCALAR = 5;
const ANY_LAST_NON_SCALAR = 7;

/** Attribute keys, span and scope names and most attribute values repeat from span to span. */
export const strings = new StringTable();

/** Adds one KeyValue to `attributes`, created on the first scalar one; returns them. */
export function readAttributeInto(
  reader: WireReader,
  end: number,
  attributes: Attributes | undefined,
): Attributes | undefined {
  const { key, value } = readKeyValue(reader, end);
  // Assigning `__proto__` would not create an attribute; other keys are plain data.
  if (value === undefined || key === '__proto__') return attributes;
  const into = attributes ?? {};
  into[key] = value;
  return into;
}

const keyValue: { key: string; value: string | number | boolean | undefined } = { key: '', value: undefined };

/** Reads a KeyValue (key = 1, value = 2) into a shared scratch object (valid until the next call). */
export function readKeyValue(reader: WireReader, end: number): typeof keyValue {
  keyValue.key = '';
  keyValue.value = undefined;
  while (reader.pos < end) {
    const tag = reader.tag(end);
    if (tag === TAG_1_BYTES) keyValue.key = reader.internedString(end, strings);
    else if (tag === TAG_2_BYTES) keyValue.value = readAnyValue(reader, reader.end(end));
    else reader.skip(tag & 7, end);
  }
  return keyValue;
}

/** A scalar AnyValue, or `undefined` for arrays, key-value lists, bytes and empty values. */
function readAnyValue(reader: WireReader, end: number): string | number | boolean | undefined {
  let value: string | number | boolean | undefined;
  while (reader.pos < end) {
    const tag = reader.tag(end);
    if (tag === ANY_STRING) value = reader.internedString(end, strings);
    else if (tag === ANY_INT) value = reader.int64(end);
    else if (tag === ANY_DOUBLE) value = reader.double(end);
    // A bool is true when any of its varint's 64 bits is set (2^32 is true, as in protobufjs and Go).
    else if (tag === ANY_BOOL) value = reader.int64(end) !== 0;
    else {
      reader.skip(tag & 7, end);
      // A later array, kvlist or bytes member of the oneof wins, as in protobuf; unknown fields do not.
      const field = tag >>> 3;
      if (field >= ANY_FIRST_NON_SCALAR && field <= ANY_LAST_NON_SCALAR) value = undefined;
    }
  }
  return value;
}
