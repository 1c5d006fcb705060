/**
 * Runs a case through the receiver's parts in this process, without sockets: the header screen,
 * decompression under the size limit, the decoders, span ingest into an agent on a manual clock, and now and
 * then an evaluation tick and a Prometheus exposition. Any exception, or a decoder outcome that
 * breaks its contract, is a problem; the status it predicts is what the HTTP receiver must answer.
 */
import { isDeepStrictEqual } from 'node:util';
import { gunzipSync, inflateSync, zstdDecompressSync } from 'node:zlib';
import { Agent, ManualClock, RuleMatcher } from '../agent/index.ts';
import { compressionOf, maxCompressedBytes } from '../collector/receiver/content-coding.ts';
import { decodeTracesJson } from '../collector/receiver/json-trace-decoder.ts';
import { countDataPointsJson, countDataPointsProtobuf } from '../collector/receiver/metrics-decoder.ts';
import { encodingOf } from '../collector/receiver/request-screen.ts';
import { SpanIngest } from '../collector/receiver/span-ingest.ts';
import type { DecodeResult } from '../collector/receiver/types.ts';
import { decodeTracesWire } from '../collector/receiver/wire-trace-decoder.ts';
import { ServiceDirectory } from '../collector/service-directory.ts';
import { HeadroomMetricProducer } from '../exporters/metrics/index.ts';
import { exposition } from '../exporters/prometheus/index.ts';
import { decodeTracesProtobufjs } from '../test/collector/receiver/protobufjs-trace-decoder.ts';
import type { FuzzCase } from './cases.ts';
import { fuzzConfig } from './fuzz-config.ts';

/** What the receiver must answer: one status, or any of a few when streaming order decides. */
export interface Prediction {
  readonly statuses: readonly number[];
  /** Contract violations seen in-process (exceptions with their stack, malformed outcomes). */
  readonly problems: readonly string[];
}

export class InProcessTarget {
  readonly clock: ManualClock;
  readonly maxBodyBytes: number;
  readonly #agent: Agent;
  readonly #ingest: SpanIngest;
  readonly #producer: HeadroomMetricProducer;

  constructor(nowMs: number) {
    const config = fuzzConfig();
    this.clock = new ManualClock(nowMs);
    this.maxBodyBytes = config.receiver.maxBodyBytes;
    this.#agent = new Agent({ config, clock: this.clock });
    const rules = new RuleMatcher(config.rules);
    this.#ingest = new SpanIngest({ agent: this.#agent, rules, directory: new ServiceDirectory() });
    this.#producer = new HeadroomMetricProducer({
      agent: this.#agent,
      maxSeries: config.exporters.prometheus.maxSeries,
    });
  }

  /** Screens, inflates, decodes and ingests one case; never throws. */
  run(fuzzCase: FuzzCase): Prediction {
    const problems: string[] = [];
    try {
      return { statuses: this.#run(fuzzCase, problems), problems };
    } catch (error) {
      return { statuses: [], problems: [...problems, `threw: ${describe(error)}`] };
    }
  }

  /** Moves the clock one second, ticks the agent; renders the exposition when asked. */
  async advance(render: boolean): Promise<string[]> {
    try {
      this.clock.advance(1000);
      this.#agent.tick();
      if (render) await exposition(this.#producer);
      return [];
    } catch (error) {
      return [`${render ? 'tick or exposition' : 'tick'} threw: ${describe(error)}`];
    }
  }

  #run({ envelope }: FuzzCase, problems: string[]): readonly number[] {
    const route =
      envelope.path === '/v1/traces' ? 'traces' : envelope.path === '/v1/metrics' ? 'metrics' : undefined;
    if (route === undefined) return [404];
    if (envelope.method !== 'POST') return [405];
    const encoding = encodingOf(envelope.contentType);
    const compression = compressionOf(envelope.contentEncoding);
    if (encoding === undefined || compression === undefined) return [415];
    const limit = compression === 'none' ? this.maxBodyBytes : maxCompressedBytes(this.maxBodyBytes);
    if (envelope.wire.length > limit) return [413];
    let body = envelope.wire;
    if (compression !== 'none') {
      try {
        body = DECOMPRESS[compression](envelope.wire, { maxOutputLength: this.maxBodyBytes });
      } catch (error) {
        // Streamed, the receiver may see the limit passed before the stream turns out corrupt.
        return (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? [413] : [400, 413];
      }
    }
    if (body.length > this.maxBodyBytes) return [413];
    if (route === 'metrics') {
      const counted = encoding === 'protobuf' ? countDataPointsProtobuf(body) : countDataPointsJson(body);
      return checked(counted, problems) ? [200] : [400];
    }
    const decoded = encoding === 'protobuf' ? decodeTracesWire(body) : decodeTracesJson(body);
    if (!checked(decoded, problems)) return [400];
    if (encoding === 'protobuf') {
      // Where protobufjs (the reference) accepts the body too, both must read the same spans.
      const reference = decodeTracesProtobufjs(body);
      if (reference.ok && !isDeepStrictEqual(decoded.value, reference.value))
        problems.push('the wire decoder and protobufjs read different spans');
    }
    this.#ingestSpans(decoded.value, problems);
    return [200];
  }

  #ingestSpans(traces: Parameters<SpanIngest['ingest']>[0], problems: string[]): void {
    const outcome = this.#ingest.ingest(traces);
    if (outcome.accepted + outcome.rejected !== traces.spanCount)
      problems.push(`ingest counted ${outcome.accepted} + ${outcome.rejected} of ${traces.spanCount} spans`);
  }
}

const DECOMPRESS = { gzip: gunzipSync, deflate: inflateSync, zstd: zstdDecompressSync };

/** Whether a decoder accepted the body; an outcome outside its contract is a problem. */
function checked<T>(result: DecodeResult<T>, problems: string[]): result is { ok: true; value: T } {
  if (result.ok === true) return true;
  if (result.ok !== false || typeof result.reason !== 'string' || result.reason === '')
    problems.push(`decoder broke its contract: ${String(JSON.stringify(result)).slice(0, 200)}`);
  return false;
}

/** An error with its stack (first lines), for the report. */
export function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return (error.stack ?? `${error.name}: ${error.message}`).split('\n').slice(0, 6).join('\n');
}
