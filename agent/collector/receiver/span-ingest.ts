/**
 * Feeds decoded spans to the agent: checks each span, notes its service in the directory, classifies
 * it with the YAML rules (or its `headroom.*` attributes) and records its own duration and end time,
 * re-timed to arrival when the sender's clock is off (see clock-skew.ts). Spans that cannot be
 * trusted are rejected one by one and reported back as a partial success.
 */
import type { Agent } from '../../agent.ts';
import { classifySpan, type RuleMatcher } from '../../rules/index.ts';
import type { ServiceDirectory } from '../service-directory.ts';
import { ClockSkewEstimator } from './clock-skew.ts';
import { SPAN_REJECTIONS, type SpanRejectionReason } from './span-rejections.ts';
import type { DecodedResourceSpans, DecodedSpan, DecodedTraces } from './types.ts';

/** What a request's spans came to. */
export interface IngestOutcome {
  /**
   * Spans checked and accepted: recorded, skipped because no rule judges them, or dropped by the
   * agent as late (counted in `headroom_samples_dropped_total{reason="late"}`).
   */
  readonly accepted: number;
  readonly rejected: number;
  /** Rejected spans by reason (the keys of {@link SPAN_REJECTIONS}). */
  readonly rejectedBy: Readonly<Record<SpanRejectionReason, number>>;
  /** Accepted spans whose end time was moved by their sender's estimated clock skew. */
  readonly retimed: number;
  /** Why spans were rejected, for `partialSuccess.errorMessage`; '' when none was. */
  readonly message: string;
}

/** Options of {@link SpanIngest}. */
export interface SpanIngestOptions {
  /** Records the spans; its clock and window length bound end times. */
  readonly agent: Agent;
  readonly rules: RuleMatcher;
  readonly directory: ServiceDirectory;
  /**
   * Largest sender clock offset corrected, ms; 0 turns re-timing off.
   * @default the agent's `receiver.maxClockSkew` (24 h)
   */
  readonly maxClockSkewMs?: number;
  /** Where the per-service skew estimates are kept. @default a new {@link ClockSkewEstimator} */
  readonly skews?: ClockSkewEstimator;
}

const OTLP_STATUS_ERROR = 2;

/** Per request: the bounds every span is checked against, all ms since the epoch. */
interface Bounds {
  readonly nowMs: number;
  /** The first end time whose slot would push the slot holding `nowMs` out of the window. */
  readonly endLimitMs: number;
  /** The oldest end time whose slot is still inside the window at `nowMs`. */
  readonly notBeforeMs: number;
  readonly maxDurationMs: number;
}

/** Counts of one request, filled span by span. */
interface Tally {
  accepted: number;
  retimed: number;
  readonly rejected: Record<SpanRejectionReason, number>;
}

export class SpanIngest {
  readonly #agent: Agent;
  readonly #directory: ServiceDirectory;
  readonly #maxClockSkewMs: number;
  /** The estimates behind re-timing, per service. */
  readonly skews: ClockSkewEstimator;
  #rules: RuleMatcher;

  constructor(options: SpanIngestOptions) {
    this.#agent = options.agent;
    this.#rules = options.rules;
    this.#directory = options.directory;
    this.#maxClockSkewMs = options.maxClockSkewMs ?? options.agent.config.receiver.maxClockSkew;
    this.skews = options.skews ?? new ClockSkewEstimator();
  }

  /** Replaces the rules (after a config reload); spans already recorded stay where they are. */
  setRules(rules: RuleMatcher): void {
    this.#rules = rules;
  }

  /**
   * Checks, classifies and records every span of a request. Never throws for any span content.
   * A span is rejected when its trace or span id is invalid, a time is missing, it ends before it
   * starts, it lasts longer than `window.maxSpanDuration`, it ends a window or more after the
   * agent's clock (rounded down to a slot: a single such timestamp would drag its series' window
   * past the present and drop every current sample as late), or its service is new while the
   * directory is full. When the sender's estimated clock skew exceeds one slot, end times within
   * `maxClockSkewMs` of the present are moved by it first (never past the present). An accepted
   * span that still ends before the window is dropped by the agent as late, counted.
   */
  ingest(traces: DecodedTraces): IngestOutcome {
    const nowMs = this.#agent.clock.now();
    const { length: windowMs, resolution: resolutionMs, maxSpanDuration } = this.#agent.config.window;
    const slotStartMs = Math.floor(nowMs / resolutionMs) * resolutionMs;
    const bounds: Bounds = {
      nowMs,
      endLimitMs: slotStartMs + windowMs,
      notBeforeMs: slotStartMs + resolutionMs - windowMs,
      maxDurationMs: maxSpanDuration,
    };
    const tally: Tally = { accepted: 0, retimed: 0, rejected: noRejections() };
    for (const resource of traces.resources) {
      if (this.#directory.note(resource.service, resource.namespace, nowMs)) {
        this.#ingestResource(resource, bounds, tally);
      } else {
        for (const scope of resource.scopes) tally.rejected.service_limit += scope.spans.length;
      }
    }
    const rejectedTotal = Object.values(tally.rejected).reduce((sum, count) => sum + count, 0);
    return {
      accepted: tally.accepted,
      rejected: rejectedTotal,
      rejectedBy: tally.rejected,
      retimed: tally.retimed,
      message:
        rejectedTotal === 0
          ? ''
          : rejectionMessage(tally.rejected, rejectedTotal, tally.accepted + rejectedTotal, this.#agent.config),
    };
  }

  #ingestResource(resource: DecodedResourceSpans, bounds: Bounds, tally: Tally): void {
    const shiftMs = this.#shiftOf(resource, bounds);
    for (const scope of resource.scopes) {
      for (const span of scope.spans) {
        const problem = problemOf(span, bounds.maxDurationMs);
        if (problem !== undefined) {
          tally.rejected[problem]++;
          continue;
        }
        const endMs = this.#plausible(span.endTimeMs, bounds.nowMs)
          ? retimed(span.endTimeMs, shiftMs, bounds)
          : span.endTimeMs;
        if (endMs >= bounds.endLimitMs) {
          tally.rejected.future++;
          continue;
        }
        tally.accepted++;
        if (endMs !== span.endTimeMs) tally.retimed++;
        this.#record(resource.service, scope.scopeName, span, endMs, bounds.notBeforeMs);
      }
    }
  }

  /**
   * Notes the batch in the skew estimate of its service and returns how far to move its end
   * times: the estimate when it exceeds one window slot (finer offsets change nothing the window
   * can see), else 0. Spans whose end is implausibly far from the present do not count.
   */
  #shiftOf(resource: DecodedResourceSpans, bounds: Bounds): number {
    let newestEndMs = Number.NEGATIVE_INFINITY;
    let oldestEndMs = Number.POSITIVE_INFINITY;
    for (const scope of resource.scopes) {
      for (const span of scope.spans) {
        if (problemOf(span, bounds.maxDurationMs) !== undefined) continue;
        if (!this.#plausible(span.endTimeMs, bounds.nowMs)) continue;
        newestEndMs = Math.max(newestEndMs, span.endTimeMs);
        oldestEndMs = Math.min(oldestEndMs, span.endTimeMs);
      }
    }
    if (newestEndMs === Number.NEGATIVE_INFINITY) return 0;
    const { service, namespace } = resource;
    const skewMs = this.skews.observe(service, namespace, bounds.nowMs, newestEndMs, oldestEndMs);
    return Math.abs(skewMs) > this.#agent.config.window.resolution ? skewMs : 0;
  }

  /** Whether an end time is close enough to the present for a clock offset to explain it. */
  #plausible(endTimeMs: number, nowMs: number): boolean {
    return Math.abs(nowMs - endTimeMs) <= this.#maxClockSkewMs && this.#maxClockSkewMs > 0;
  }

  #record(service: string, scopeName: string, span: DecodedSpan, endTimeMs: number, notBeforeMs: number): void {
    const target = classifySpan(service, span, scopeName, this.#rules);
    if (target === undefined) return;
    this.#agent.record(
      service,
      target.operation,
      target.context,
      target.phase,
      span.endTimeMs - span.startTimeMs,
      span.statusCode === OTLP_STATUS_ERROR,
      endTimeMs,
      notBeforeMs,
    );
  }
}

/**
 * An end time moved by the sender's skew; an overshoot past the present (an ahead sender's
 * estimate includes its batching delay) lands on the present, unless it is a window or more ahead.
 */
function retimed(endTimeMs: number, shiftMs: number, bounds: Bounds): number {
  const movedMs = endTimeMs + shiftMs;
  return movedMs > bounds.nowMs && movedMs < bounds.endLimitMs ? bounds.nowMs : movedMs;
}

function noRejections(): Record<SpanRejectionReason, number> {
  const counts = {} as Record<SpanRejectionReason, number>;
  for (const reason of Object.keys(SPAN_REJECTIONS) as SpanRejectionReason[]) counts[reason] = 0;
  return counts;
}

/** The rejection reason of a span before its end time is checked, or `undefined` when it has none. */
function problemOf(span: DecodedSpan, maxDurationMs: number): SpanRejectionReason | undefined {
  if (!span.idsValid) return 'invalid_id';
  if (span.startTimeMs === 0 || span.endTimeMs === 0) return 'missing_time';
  if (span.endTimeMs < span.startTimeMs) return 'end_before_start';
  // Written so that a NaN duration is refused too (decoders give finite times, but never trust).
  if (!(span.endTimeMs - span.startTimeMs <= maxDurationMs)) return 'duration';
  return undefined;
}

/**
 * e.g. `rejected 3 of 10 spans: 1 with an invalid trace or span id, 2 with end time before start time`.
 */
function rejectionMessage(
  rejected: Readonly<Record<SpanRejectionReason, number>>,
  rejectedTotal: number,
  total: number,
  config: Agent['config'],
): string {
  const parts = (Object.keys(SPAN_REJECTIONS) as SpanRejectionReason[]).flatMap((reason) =>
    rejected[reason] === 0 ? [] : [`${rejected[reason]} ${SPAN_REJECTIONS[reason](config)}`],
  );
  return `rejected ${rejectedTotal} of ${total} spans: ${parts.join(', ')}`;
}
