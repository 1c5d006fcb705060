/**
 * Converts an OTLP/JSON Export request to binary protobuf, for forwarding over OTLP/gRPC (which
 * carries protobuf only). The JSON is read field by field against the complete OTLP definitions
 * (otlp-proto-definitions.ts; how each field reads: otlp-json-fields.ts), then protobufjs builds
 * and encodes the message: every field the definitions know is kept (events, links, trace state,
 * flags, dropped counts, exemplars, every metric point type), unknown keys are ignored as the
 * OTLP specification requires, and a value of the wrong type makes the whole request
 * unconvertible, with the reason (its path), as a value. Collector mode only: this module loads
 * protobufjs, so it is imported lazily.
 */
import type protobuf from 'protobufjs';
import { type FieldRule, fail, fieldRules, JsonFieldError } from './otlp-json-fields.ts';
import { OTLP_MESSAGES, otlpRoot } from './otlp-proto-definitions.ts';
import type { OtlpSignal } from './otlp-url.ts';

/** The protobuf form of a request, or why it has none. */
export type JsonConversion =
  | { readonly ok: true; readonly body: Uint8Array }
  | { readonly ok: false; readonly reason: string };

type JsonObject = Readonly<Record<string, unknown>>;

/** Converts one signal's OTLP/JSON Export requests to protobuf; `convert` never throws. */
export class OtlpJsonConverter {
  readonly #request: protobuf.Type;

  /** @param signal whose Export request the bodies hold (ExportTraceServiceRequest, ExportMetricsServiceRequest) */
  constructor(signal: OtlpSignal) {
    this.#request = otlpRoot().lookupType(OTLP_MESSAGES[signal].request);
  }

  /**
   * Encodes a (decompressed, UTF-8) OTLP/JSON request body as the same message in protobuf.
   * @returns the protobuf bytes, or the reason the body cannot be converted (not JSON, a value of
   *   the wrong type at a named path)
   */
  convert(body: Uint8Array): JsonConversion {
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
    } catch (error) {
      return { ok: false, reason: `malformed JSON: ${messageOf(error)}` };
    }
    try {
      // The checked object is what protobufjs' encoder takes (64-bit integers as decimal strings,
      // bytes as buffers), so it is encoded as it is, without a `fromObject` copy.
      return { ok: true, body: this.#request.encode(readMessage(this.#request, json)).finish() };
    } catch (error) {
      // A wrong value (JsonFieldError, with its path), or nesting deeper than the stack (RangeError).
      return { ok: false, reason: `invalid OTLP JSON: ${messageOf(error)}` };
    }
  }
}

/**
 * The JSON object of a message as protobufjs' encoder takes it: original field names, checked
 * values. A wrong value throws a {@link JsonFieldError}; each level adds its key to the error's
 * path on the way out, so no path is built while all is well.
 */
function readMessage(type: protobuf.Type, json: unknown): JsonObject {
  if (!isObject(json)) return fail('an object');
  const rules = fieldRules(type);
  const out: Record<string, unknown> = {};
  let oneofs: Map<string, string> | undefined;
  for (const key of Object.keys(json)) {
    const rule = rules.get(key);
    const value = json[key];
    // Unknown keys are ignored (OTLP requires it); null reads as absent (proto3 JSON).
    if (rule === undefined || value === null) continue;
    try {
      if (out[rule.name] !== undefined) fail('one key per field (it is set twice)');
      if (rule.oneof !== undefined) {
        oneofs ??= new Map();
        const other = oneofs.get(rule.oneof);
        if (other !== undefined) fail(`one field of ${rule.oneof} (${other} is set too)`);
        oneofs.set(rule.oneof, key);
      }
      out[rule.name] = rule.repeated ? readList(rule, value) : readValue(rule, value);
    } catch (error) {
      throw JsonFieldError.within(error, `.${key}`);
    }
  }
  return out;
}

function readList(rule: FieldRule, value: unknown): unknown[] {
  if (!Array.isArray(value)) return fail('an array');
  const out = new Array<unknown>(value.length);
  for (let i = 0; i < value.length; i++) {
    try {
      out[i] = value[i] === null ? fail('a value (not null)') : readValue(rule, value[i]);
    } catch (error) {
      throw JsonFieldError.within(error, `[${i}]`);
    }
  }
  return out;
}

function readValue(rule: FieldRule, value: unknown): unknown {
  return rule.message === undefined ? rule.scalar(value) : readMessage(rule.message, value);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
