/**
 * The case generator shared by `npm run fuzz` and the CI test: case `index` of a run seeded `seed`
 * is an OTLP traces or metrics request, protobuf or JSON, drawn valid from the model, then
 * mutated in its structure (protobuf field tree or JSON tree), in its bytes, or both, and wrapped
 * in an HTTP envelope (gzip variants, odd content types and encodings, wrong method or path).
 * The same (seed, index, nowMs) gives the same bytes.
 */
import { mutateBytes } from './byte-mutations.ts';
import { mutateJson, writeJson } from './json-mutations.ts';
import { metricsJson, tracesJson } from './otlp-json.ts';
import { drawExtremes, randomMetrics, randomTraces } from './otlp-model.ts';
import { metricsFields, tracesFields } from './otlp-protobuf.ts';
import { mutateTree } from './protobuf-mutations.ts';
import { serialize } from './protobuf-tree.ts';
import { Rng } from './rng.ts';
import { type Envelope, envelope } from './transport.ts';

/** One request to send. */
export interface FuzzCase {
  readonly index: number;
  /** e.g. `traces/protobuf valid > wire-type-3,lying-length > truncate > gzip`. */
  readonly name: string;
  readonly envelope: Envelope;
}

/** What the generator needs to know of the receiver. */
export interface CaseOptions {
  /** `receiver.maxBodySize`, bytes: extremes are drawn up to about this size. */
  readonly maxBodyBytes: number;
  /** Spans end shortly before this, ms since the epoch. */
  readonly nowMs: number;
}

/** The body of a case before its envelope, and how it was made. */
function body(rng: Rng, signal: 'traces' | 'metrics', encoding: 'protobuf' | 'json', options: CaseOptions) {
  const extremes = drawExtremes(rng, options.maxBodyBytes);
  const traces = signal === 'traces';
  const { nowMs } = options;
  const stage = rng.float();
  const steps: string[] = [];
  let bytes: Buffer;
  if (encoding === 'protobuf') {
    const fields = traces
      ? tracesFields(randomTraces(rng, extremes, nowMs))
      : metricsFields(randomMetrics(rng, extremes, nowMs));
    if (stage >= 0.15 && stage < 0.85) steps.push(mutateTree(rng, fields).join(','));
    bytes = serialize(fields);
  } else {
    const request = traces
      ? tracesJson(randomTraces(rng, extremes, nowMs))
      : metricsJson(randomMetrics(rng, extremes, nowMs));
    if (stage >= 0.15 && stage < 0.85) {
      const mutated = mutateJson(rng, request);
      steps.push(mutated.applied.join(','));
      bytes = mutated.body;
    } else bytes = writeJson(request);
  }
  if (stage >= 0.6) {
    const mutated = mutateBytes(rng, bytes);
    steps.push(mutated.name);
    bytes = mutated.body;
  }
  return { bytes, steps: steps.length === 0 ? ['valid'] : steps };
}

/** Case `index` of the run seeded `seed`. */
export function generateCase(seed: number, index: number, options: CaseOptions): FuzzCase {
  const rng = Rng.forCase(seed, index);
  const signal = rng.chance(0.8) ? 'traces' : 'metrics';
  const encoding = rng.chance(0.6) ? 'protobuf' : 'json';
  const { bytes, steps } = body(rng, signal, encoding, options);
  const wrapped = envelope(rng, bytes, encoding, `/v1/${signal}`);
  return { index, name: `${signal}/${encoding} ${steps.join(' > ')} > ${wrapped.name}`, envelope: wrapped };
}
