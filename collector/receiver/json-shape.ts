/**
 * Typed reads from a parsed OTLP JSON payload, following the proto3 JSON mapping as OTLP/HTTP
 * amends it. A read of the wrong type throws a {@link JsonShapeError} naming the path (caught by the
 * decoders, which turn it into a 400 reason); `undefined` and `null` read as the field's default.
 */
import type { DecodeResult } from './types.ts';
import { unixNanosToMs } from './wire-reader.ts';

/** A JSON object as `JSON.parse` returns it. */
export type JsonObject = { readonly [key: string]: unknown };

/** A value of the wrong type at `path`; never escapes a decoder. */
class JsonShapeError extends Error {}

const DECIMAL = /^\d{1,20}$/;
const SIGNED_DECIMAL = /^-?\d{1,20}$/;
const HEX = /^[0-9a-fA-F]*$/;
const ALL_ZERO = /^0*$/;
const MAX_UINT64 = 0xffffffffffffffffn;
const LOW_WORD = 0xffffffffn;
const SPECIAL_DOUBLES: ReadonlyMap<string, number> = new Map([
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
]);

/** Parses a body as a JSON object; a body that is not one is malformed. Never throws. */
export function parseJsonObject(body: Uint8Array): DecodeResult<JsonObject> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `malformed JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isObject(value)) return { ok: false, reason: 'malformed JSON: the request must be a JSON object' };
  return { ok: true, value };
}

export class JsonShape {
  /** The 400 reason of an error thrown while reading. */
  static reason(error: unknown): string {
    return `invalid OTLP JSON: ${error instanceof Error ? error.message : String(error)}`;
  }

  /** An array of objects (absent: empty). */
  array(owner: JsonObject, key: string, path: string): JsonObject[] {
    const value = owner[key];
    if (value == null) return [];
    if (!Array.isArray(value)) this.#fail(path, key, 'an array');
    value.forEach((item, i) => {
      if (!isObject(item)) this.#fail(path, `${key}[${i}]`, 'an object');
    });
    return value as JsonObject[];
  }

  /** An object, or `undefined` when absent. */
  object(owner: JsonObject, key: string, path: string): JsonObject | undefined {
    const value = owner[key];
    if (value == null) return undefined;
    if (!isObject(value)) this.#fail(path, key, 'an object');
    return value;
  }

  /**
   * A string (absent: ''), well-formed: JSON's `\ud800` escapes can spell a lone surrogate, which
   * is replaced by U+FFFD as the protobuf path's UTF-8 decoder does (names reach URLs, the page and
   * alert links, where a lone surrogate makes `encodeURIComponent` throw).
   */
  string(owner: JsonObject, key: string, path: string): string {
    const value = owner[key];
    if (value == null) return '';
    if (typeof value !== 'string') this.#fail(path, key, 'a string');
    return value.isWellFormed() ? value : value.toWellFormed();
  }

  /** An int32 or enum, which OTLP writes as a JSON number (absent: 0). */
  integer(owner: JsonObject, key: string, path: string): number {
    const value = owner[key];
    if (value == null) return 0;
    if (!Number.isSafeInteger(value)) this.#fail(path, key, 'an integer');
    return value as number;
  }

  /** A fixed64 of unix nanoseconds (decimal string or number) as ms (absent: 0). */
  unixNanosMs(owner: JsonObject, key: string, path: string): number {
    const value = owner[key];
    if (value == null) return 0;
    if (typeof value === 'number' && value >= 0 && Number.isFinite(value)) return value / 1e6;
    if (typeof value === 'string' && DECIMAL.test(value)) {
      const nanos = BigInt(value);
      if (nanos <= MAX_UINT64) return unixNanosToMs(Number(nanos >> 32n), Number(nanos & LOW_WORD));
    }
    return this.#fail(path, key, 'unix nanoseconds as a decimal string or number');
  }

  /** Whether a hex id has `size` bytes and is not all zero; a non-string is malformed. */
  hexId(owner: JsonObject, key: string, size: number, path: string): boolean {
    const value = owner[key];
    if (value == null) return false;
    if (typeof value !== 'string') this.#fail(path, key, 'a hex string');
    return value.length === size * 2 && HEX.test(value) && !ALL_ZERO.test(value);
  }

  /** The scalar of an AnyValue; `undefined` for arrays, key-value lists, bytes and empty values. */
  anyValueScalar(value: JsonObject, path: string): string | number | boolean | undefined {
    if (value.stringValue != null) return this.string(value, 'stringValue', path);
    if (value.boolValue != null) {
      if (typeof value.boolValue !== 'boolean') this.#fail(path, 'boolValue', 'a boolean');
      return value.boolValue;
    }
    if (value.intValue != null) return this.#int64(value.intValue, path);
    if (value.doubleValue != null) return this.#double(value.doubleValue, path);
    return undefined;
  }

  #int64(value: unknown, path: string): number {
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    if (typeof value === 'string' && SIGNED_DECIMAL.test(value)) return Number(value);
    return this.#fail(path, 'intValue', 'an integer as a decimal string or number');
  }

  #double(value: unknown, path: string): number {
    if (typeof value === 'number') return value;
    if (typeof value === 'string') {
      const special = SPECIAL_DOUBLES.get(value);
      if (special !== undefined) return special;
      const parsed = value.trim() === '' ? Number.NaN : Number(value);
      if (!Number.isNaN(parsed)) return parsed;
    }
    return this.#fail(path, 'doubleValue', 'a number');
  }

  #fail(path: string, key: string, expected: string): never {
    const where = path === '' ? key : `${path}.${key}`;
    throw new JsonShapeError(`${where}: expected ${expected}`);
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
