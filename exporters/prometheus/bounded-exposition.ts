/**
 * A scrape that cannot exceed a size: the exposition's size is estimated from the collected data
 * before a byte is serialized, and one far over the limit is never built (the stock serializer
 * builds one string, and a huge one throws `RangeError: Invalid string length` from a promise
 * callback, which ends the process); the size is then checked exactly. Over the limit, or on any failure, the scrape is refused and counted.
 */
import type { Attributes } from '@opentelemetry/api';
import { DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { createSerializer } from './exposition.ts';

/** Why a scrape was refused. */
export type ScrapeRefusal = 'too_large' | 'failed';

/** What rendering one scrape gave. */
export type RenderResult =
  | { readonly ok: true; readonly text: string; readonly bytes: number }
  | { readonly ok: false; readonly reason: ScrapeRefusal; readonly message: string };

/** Counters of the scrapes, for the agent's own metrics. */
export interface ScrapeStats {
  readonly refused: Readonly<Record<ScrapeRefusal, number>>;
  /** Size of the last exposition served, bytes; 0 before the first. */
  readonly lastSizeBytes: number;
}

// Per line beyond names and labels: braces, quotes, '=' and ',' are counted per label; this covers
// the value (a double prints in at most 24 characters), spaces and the newline.
const LINE_OVERHEAD = 32;
// `le="..."` on a histogram bucket line: the label and a bound printed as a double.
const LE_LABEL = 32;
// How far the estimate may exceed the real length (it stays under 3x, tested).
const ESTIMATE_SLACK = 4;

/**
 * Renders expositions of at most `maxBytes` bytes. Never throws.
 * @example
 * const bounded = new BoundedExposition(32 * 1024 * 1024);
 * const result = bounded.render((await reader.collect()).resourceMetrics);
 */
export class BoundedExposition {
  readonly maxBytes: number;
  readonly #refused: Record<ScrapeRefusal, number> = { too_large: 0, failed: 0 };
  #lastSizeBytes = 0;

  /** @param maxBytes largest exposition served, bytes (`exporters.prometheus.maxScrapeSize`) */
  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  stats(): ScrapeStats {
    return { refused: { ...this.#refused }, lastSizeBytes: this.#lastSizeBytes };
  }

  /** Serializes `metrics`, or refuses (counted) when it would be too large or fails. */
  render(metrics: ResourceMetrics): RenderResult {
    try {
      const estimate = estimateExpositionChars(metrics);
      // The estimate is at most ESTIMATE_SLACK times the real length: far over the limit, the
      // exposition is too large for sure, and is refused before a byte is built.
      if (estimate > ESTIMATE_SLACK * this.maxBytes)
        return this.#tooLarge(`at least ${Math.floor(estimate / ESTIMATE_SLACK)}`);
      const text = createSerializer().serialize(metrics);
      const bytes = Buffer.byteLength(text);
      if (bytes > this.maxBytes) return this.#tooLarge(String(bytes));
      this.#lastSizeBytes = bytes;
      return { ok: true, text, bytes };
    } catch (error) {
      return this.failed(error);
    }
  }

  /** Counts a scrape that failed (collection or serialization) and says why. */
  failed(error: unknown): RenderResult {
    this.#refused.failed++;
    return { ok: false, reason: 'failed', message: `headroom: the exposition failed: ${String(error)}\n` };
  }

  #tooLarge(size: string): RenderResult {
    this.#refused.too_large++;
    return {
      ok: false,
      reason: 'too_large',
      message:
        `headroom: the exposition would be ${size} bytes, over exporters.prometheus.maxScrapeSize ` +
        `(${this.maxBytes} bytes); lower window.maxSeries, exporters.prometheus.maxSeries or ` +
        'limits.nameLength, or raise maxScrapeSize\n',
    };
  }
}

/**
 * An upper bound of the exposition's length in characters (not bytes): names, escaped label
 * values and a fixed allowance per line, per label and per histogram bucket. Linear in the data.
 */
export function estimateExpositionChars(metrics: ResourceMetrics): number {
  let total = LINE_OVERHEAD + labelsChars(metrics.resource.attributes) + 64;
  for (const scope of metrics.scopeMetrics) for (const metric of scope.metrics) total += metricChars(metric);
  return total;
}

function metricChars(metric: MetricData): number {
  const { name, description, unit } = metric.descriptor;
  // # HELP, # UNIT and # TYPE lines; `_total`, `_bucket`, `_count`, `_sum` suffixes fit the overhead.
  let total = 3 * (name.length + LINE_OVERHEAD) + escapedLength(description) + unit.length;
  for (const point of metric.dataPoints) {
    const line = name.length + LINE_OVERHEAD + labelsChars(point.attributes);
    if (metric.dataPointType !== DataPointType.HISTOGRAM) {
      total += line;
      continue;
    }
    const buckets = (point.value as { buckets: { counts: readonly number[] } }).buckets.counts.length;
    total += 2 * line + (buckets + 1) * (line + LE_LABEL);
  }
  return total;
}

function labelsChars(attributes: Attributes): number {
  let total = 2;
  for (const [key, value] of Object.entries(attributes)) {
    const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
    total += key.length + 4 + escapedLength(text);
  }
  return total;
}

/** Length once `\`, newline and `"` are escaped (each becomes two characters). */
function escapedLength(text: string): number {
  let extra = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x5c || code === 0x0a || code === 0x22) extra++;
  }
  return text.length + extra;
}
