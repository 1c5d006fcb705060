/**
 * OTLP requests as plain data, generated at random from a seed: valid in structure, hostile in
 * content when the draw says so (huge strings, thousands of attributes, deep arrays, bad ids,
 * impossible times, many resources and series). The protobuf and JSON encoders write the same model.
 */
import type { Rng } from './rng.ts';

export type AnyValue =
  | { readonly string: string }
  | { readonly bool: boolean }
  | { readonly int: bigint }
  | { readonly double: number }
  | { readonly bytes: Uint8Array }
  | { readonly array: readonly AnyValue[] }
  | { readonly kvlist: readonly KeyValue[] };

export interface KeyValue {
  readonly key: string;
  readonly value?: AnyValue;
}

export interface SpanModel {
  readonly traceId: Uint8Array;
  readonly spanId: Uint8Array;
  readonly name: string;
  readonly kind: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly attributes: readonly KeyValue[];
  readonly statusCode: number;
}

export interface ScopeModel<T> {
  readonly scopeName: string;
  readonly items: readonly T[];
}

export interface ResourceModel<T> {
  readonly attributes: readonly KeyValue[];
  readonly scopes: readonly ScopeModel<T>[];
}

export type MetricKind = 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';

export interface MetricModel {
  readonly name: string;
  readonly kind: MetricKind;
  /** Data points: attributes and time of each (values are not read by the receiver). */
  readonly points: readonly { readonly attributes: readonly KeyValue[]; readonly timeNs: bigint }[];
}

export type TracesModel = readonly ResourceModel<SpanModel>[];
export type MetricsModel = readonly ResourceModel<MetricModel>[];

/** Knobs of one draw: most cases are ordinary, a few push one dimension to its extreme. */
export interface Extremes {
  /** Longest string, characters. */
  readonly stringLength: number;
  /** Most attributes on one span or resource. */
  readonly attributes: number;
  /** Most spans (or data points) in one scope. */
  readonly items: number;
  readonly resources: number;
}

const ORDINARY: Extremes = { stringLength: 24, attributes: 6, items: 6, resources: 2 };
const KEYS = [
  'service.name',
  'service.namespace',
  'headroom.budget.context',
  'headroom.budget.ms',
  'headroom.phase',
  'headroom.operation',
  'http.route',
  'http.request.method',
  '__proto__',
  'constructor',
  '',
];
const CONTEXTS = ['emergency', 'routine', 'deliberative', 'unknown-context', ''];

/**
 * The knobs for this draw: ordinary, or one pushed far (strings, attributes, items, resources) with
 * the others kept small, so a body stays within about the size limit.
 */
export function drawExtremes(rng: Rng, maxBodyBytes: number): Extremes {
  if (rng.chance(0.85)) return ORDINARY;
  switch (rng.int(4)) {
    case 0:
      return {
        stringLength: rng.size(Math.floor(maxBodyBytes * 1.2)),
        attributes: 3,
        items: 2,
        resources: 1,
      };
    case 1:
      return {
        stringLength: 24,
        attributes: rng.size(Math.floor(maxBodyBytes / 12)),
        items: 1,
        resources: 1,
      };
    case 2:
      return {
        stringLength: 24,
        attributes: 2,
        items: rng.size(Math.floor(maxBodyBytes / 40)),
        resources: 1,
      };
    default:
      return { stringLength: 24, attributes: 2, items: 2, resources: rng.size(2000) };
  }
}

/** A string: printable, unicode, control characters, lone surrogates, or long and repetitive. */
function randomString(rng: Rng, maxLength: number): string {
  const length = rng.size(maxLength);
  switch (rng.int(5)) {
    case 0:
      return 'x'.repeat(length);
    case 1:
      return Array.from({ length: Math.min(length, 64) }, () => String.fromCharCode(rng.int(0x10000))).join(
        '',
      );
    case 2:
      return rng.pick(CONTEXTS);
    default:
      return Array.from({ length: Math.min(length, 256) }, () => String.fromCharCode(32 + rng.int(95))).join(
        '',
      );
  }
}

function randomId(rng: Rng, size: number): Uint8Array {
  if (rng.chance(0.9)) return rng.bytes(size);
  return rng.pick([new Uint8Array(size), rng.bytes(rng.int(40)), new Uint8Array(0)]);
}

/** An attribute value; arrays and key-value lists nest at most `depth` levels here. */
function randomAnyValue(rng: Rng, extremes: Extremes, depth = 2): AnyValue {
  switch (rng.int(depth > 0 ? 9 : 7)) {
    case 0:
      return { bool: rng.chance(0.5) };
    case 1:
      return { int: BigInt.asIntN(64, rng.uint64()) };
    case 2:
      return {
        double: rng.pick([0, -0, 1.5, 1e308, Number.NaN, Number.POSITIVE_INFINITY, rng.float() * 1e3]),
      };
    case 3:
      return { bytes: rng.bytes(rng.size(32)) };
    case 4:
      return { string: rng.pick(CONTEXTS) };
    case 7:
      return { array: Array.from({ length: rng.size(4) }, () => randomAnyValue(rng, extremes, depth - 1)) };
    case 8:
      return { kvlist: randomAttributes(rng, extremes, 4, depth - 1) };
    default:
      return { string: randomString(rng, extremes.stringLength) };
  }
}

function randomAttributes(rng: Rng, extremes: Extremes, max = extremes.attributes, depth = 2): KeyValue[] {
  return Array.from({ length: rng.size(max) }, () => ({
    key: rng.chance(0.6) ? rng.pick(KEYS) : randomString(rng, extremes.stringLength),
    ...(rng.chance(0.97) ? { value: randomAnyValue(rng, extremes, depth) } : {}),
  }));
}

/** A span ending near `nowMs` (or at an edge: 0, before its start, far ahead, 2^64 - 1). */
function randomSpan(rng: Rng, extremes: Extremes, nowMs: number): SpanModel {
  const endNs = BigInt(nowMs - rng.int(5000)) * 1_000_000n;
  const durationNs = BigInt(rng.size(2_000_000)) * 1000n;
  const odd = rng.chance(0.1);
  return {
    traceId: randomId(rng, 16),
    spanId: randomId(rng, 8),
    name: rng.chance(0.5) ? `GET /api/item${rng.int(5)}` : randomString(rng, extremes.stringLength),
    kind: rng.chance(0.9) ? rng.int(6) : rng.int(2 ** 31),
    startNs: odd ? rng.uint64() : endNs - durationNs,
    endNs: odd && rng.chance(0.5) ? rng.uint64() : endNs,
    attributes: randomAttributes(rng, extremes),
    statusCode: rng.chance(0.95) ? rng.int(3) : rng.int(2 ** 31),
  };
}

function randomMetric(rng: Rng, extremes: Extremes, nowMs: number): MetricModel {
  return {
    name: randomString(rng, extremes.stringLength),
    kind: rng.pick(['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const),
    points: Array.from({ length: rng.size(8) }, () => ({
      attributes: randomAttributes(rng, extremes),
      timeNs: BigInt(nowMs) * 1_000_000n,
    })),
  };
}

function randomResources<T>(rng: Rng, extremes: Extremes, item: () => T): ResourceModel<T>[] {
  return Array.from({ length: rng.between(1, Math.max(1, extremes.resources)) }, () => {
    const service = rng.chance(0.7) ? `svc-${rng.int(8)}` : randomString(rng, extremes.stringLength);
    const own: KeyValue[] = rng.chance(0.9) ? [{ key: 'service.name', value: { string: service } }] : [];
    if (rng.chance(0.3)) own.push({ key: 'service.namespace', value: { string: `ns-${rng.int(3)}` } });
    return {
      attributes: [...own, ...randomAttributes(rng, extremes, 3)],
      scopes: Array.from({ length: rng.between(0, 2) }, () => ({
        scopeName: randomString(rng, 16),
        items: Array.from({ length: rng.size(extremes.items) }, item),
      })),
    };
  });
}

export function randomTraces(rng: Rng, extremes: Extremes, nowMs: number): TracesModel {
  return randomResources(rng, extremes, () => randomSpan(rng, extremes, nowMs));
}

export function randomMetrics(rng: Rng, extremes: Extremes, nowMs: number): MetricsModel {
  return randomResources(rng, extremes, () => randomMetric(rng, extremes, nowMs));
}
