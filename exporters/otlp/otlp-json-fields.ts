/**
 * How each field of an OTLP message reads from OTLP/JSON (the proto3 JSON mapping as the OTLP
 * specification amends it, "JSON Protobuf Encoding"): keys in lowerCamelCase (the original
 * snake_case names are accepted too, as proto3 JSON parsers do), `traceId`, `spanId` and
 * `parentSpanId` in hex (case-insensitive) where proto3 JSON has base64, enums as integers,
 * 64-bit integers as decimal strings or numbers, doubles as numbers or `"NaN"`, `"Infinity"`,
 * `"-Infinity"`, other bytes in base64. A value of the wrong type throws a
 * {@link JsonFieldError}.
 */
import protobuf from 'protobufjs';

/** A value of the wrong type, and where it is in the request; caught by the converter. */
export class JsonFieldError extends Error {
  readonly #expected: string;
  /** `.resourceSpans[0].scopeSpans`..., built from the value up as the error leaves each level. */
  #path = '';

  constructor(expected: string) {
    super(`the request: expected ${expected}`);
    this.#expected = expected;
  }

  /** `error` (a JsonFieldError, with `segment` put in front of its path) or, any other error, as it is. */
  static within(error: unknown, segment: string): unknown {
    if (!(error instanceof JsonFieldError)) return error;
    error.#path = `${segment}${error.#path}`;
    error.message = `${error.#path.replace(/^\./, '')}: expected ${error.#expected}`;
    return error;
  }
}

/** How one field reads. */
export interface FieldRule {
  /** The field's name in protobufjs (the original snake_case one). */
  readonly name: string;
  readonly repeated: boolean;
  /** Its message type, for a message field. */
  readonly message?: protobuf.Type;
  /** Its oneof (a proto3 `optional` has a synthetic one), for fields that exclude each other. */
  readonly oneof?: string;
  /** Reads one (non-null) JSON value of a scalar field; throws a {@link JsonFieldError} for a wrong one. */
  readonly scalar: (value: unknown) => unknown;
}

/** The bytes fields OTLP/JSON writes in hex: ids of spans, links, exemplars (and log records). */
const HEX_IDS = new Set(['trace_id', 'span_id', 'parent_span_id']);
const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const DECIMAL = /^-?\d+$/;
const SHORT_UNSIGNED = /^\d{1,18}$/;
const SPECIAL_DOUBLES: ReadonlyMap<string, number> = new Map([
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
]);

const tables = new WeakMap<protobuf.Type, ReadonlyMap<string, FieldRule>>();

/** The fields of `type` by JSON key: each under its lowerCamelCase and its original name. */
export function fieldRules(type: protobuf.Type): ReadonlyMap<string, FieldRule> {
  let table = tables.get(type);
  if (table === undefined) {
    const built = new Map<string, FieldRule>();
    for (const field of type.fieldsArray) {
      const rule = ruleOf(field.resolve());
      built.set(jsonName(field.name), rule);
      built.set(field.name, rule);
    }
    table = built;
    tables.set(type, table);
  }
  return table;
}

/** protoc's JSON name: each `_x` becomes `X` (`resource_spans` -> `resourceSpans`). */
function jsonName(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

function ruleOf(field: protobuf.Field): FieldRule {
  const common = { name: field.name, repeated: field.repeated, oneof: field.partOf?.name };
  if (field.resolvedType instanceof protobuf.Type)
    return { ...common, message: field.resolvedType, scalar: () => undefined };
  if (field.resolvedType instanceof protobuf.Enum)
    return { ...common, scalar: integer(-(2 ** 31), 2 ** 31 - 1) };
  if (field.type === 'bytes') return { ...common, scalar: HEX_IDS.has(field.name) ? hexBytes : base64Bytes };
  // Every scalar type of the OTLP definitions is in SCALARS (a test reads every field of them).
  return { ...common, scalar: SCALARS[field.type] as FieldRule['scalar'] };
}

const SCALARS: Readonly<Record<string, FieldRule['scalar']>> = {
  string: (value) => (typeof value === 'string' ? value : fail('a string')),
  bool: (value) => (typeof value === 'boolean' ? value : fail('a boolean')),
  double: number,
  float: number,
  int32: integer(-(2 ** 31), 2 ** 31 - 1),
  sint32: integer(-(2 ** 31), 2 ** 31 - 1),
  sfixed32: integer(-(2 ** 31), 2 ** 31 - 1),
  uint32: integer(0, 2 ** 32 - 1),
  fixed32: integer(0, 2 ** 32 - 1),
  int64: integer64(-(2n ** 63n), 2n ** 63n - 1n),
  sint64: integer64(-(2n ** 63n), 2n ** 63n - 1n),
  sfixed64: integer64(-(2n ** 63n), 2n ** 63n - 1n),
  uint64: integer64(0n, 2n ** 64n - 1n),
  fixed64: integer64(0n, 2n ** 64n - 1n),
};

/** A 32-bit integer or enum: a JSON number (or decimal string) in [min, max]. */
function integer(min: number, max: number): FieldRule['scalar'] {
  return (value) => {
    const n = typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value;
    if (typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max) return n;
    return fail(`an integer in [${min}, ${max}]`);
  };
}

/** A 64-bit integer: a decimal string or an integral JSON number in [min, max], as a decimal string. */
function integer64(min: bigint, max: bigint): FieldRule['scalar'] {
  return (value) => {
    // Up to 18 digits fits every 64-bit type (the common case: unix nanoseconds are 19 digits from 2286).
    if (typeof value === 'string' && SHORT_UNSIGNED.test(value)) return value;
    const text = typeof value === 'number' && Number.isInteger(value) ? BigInt(value).toString() : value;
    if (typeof text === 'string' && DECIMAL.test(text)) {
      const n = BigInt(text);
      // protobufjs reads a decimal string into a Long exactly (a JS number would round past 2^53).
      if (n >= min && n <= max) return n.toString();
    }
    return fail('a 64-bit integer as a decimal string or number');
  };
}

function number(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const special = SPECIAL_DOUBLES.get(value);
    if (special !== undefined) return special;
    const parsed = value.trim() === '' ? Number.NaN : Number(value);
    if (!Number.isNaN(parsed)) return parsed;
  }
  return fail('a number');
}

function hexBytes(value: unknown): Buffer {
  if (typeof value === 'string' && HEX.test(value)) return Buffer.from(value, 'hex');
  return fail('a hex string');
}

function base64Bytes(value: unknown): Buffer {
  if (typeof value === 'string' && BASE64.test(value)) return Buffer.from(value, 'base64');
  return fail('a base64 string');
}

/** Throws the error of a value that is not `expected` (its path is added on the way out). */
export function fail(expected: string): never {
  throw new JsonFieldError(expected);
}
