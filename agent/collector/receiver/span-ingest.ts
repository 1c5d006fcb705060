/**
 * Feeds decoded spans to the agent: checks each span, notes its service in the directory, classifies
 * it with the YAML rules (or its `headroom.*` attributes) and records its own duration and end time.
 * Spans that cannot be trusted are rejected one by one and reported back as a partial success.
 */
import type { Agent } from '../../agent.ts';
import { classifySpan, type RuleMatcher } from '../../rules/index.ts';
import type { ServiceDirectory } from '../service-directory.ts';
import type { DecodedSpan, DecodedTraces } from './types.ts';

/** What a request's spans came to. */
export interface IngestOutcome {
  /** Spans checked and accepted (recorded, or skipped because no rule judges them). */
  readonly accepted: number;
  readonly rejected: number;
  /** Why spans were rejected, for `partialSuccess.errorMessage`; '' when none was. */
  readonly message: string;
}

/** Options of {@link SpanIngest}. */
export interface SpanIngestOptions {
  /** Records the spans; its clock and window length bound end times. */
  readonly agent: Agent;
  readonly rules: RuleMatcher;
  readonly directory: ServiceDirectory;
}

const OTLP_STATUS_ERROR = 2;

// Rejection reasons, in the order the message lists them.
const INVALID_ID = 0;
const MISSING_TIME = 1;
const END_BEFORE_START = 2;
const FUTURE = 3;
const SERVICE_LIMIT = 4;
const REASON_COUNT = 5;

export class SpanIngest {
  readonly #agent: Agent;
  readonly #directory: ServiceDirectory;
  #rules: RuleMatcher;

  constructor(options: SpanIngestOptions) {
    this.#agent = options.agent;
    this.#rules = options.rules;
    this.#directory = options.directory;
  }

  /** Replaces the rules (after a config reload); spans already recorded stay where they are. */
  setRules(rules: RuleMatcher): void {
    this.#rules = rules;
  }

  /**
   * Checks, classifies and records every span of a request. Never throws for any span content.
   * A span is rejected when its trace or span id is invalid, a time is missing, it ends before it
   * starts, it ends a window or more after the agent's clock (rounded down to a slot: a single
   * such timestamp would drag its series' window past the present and drop every current sample as
   * late), or its service is new while the directory is full.
   */
  ingest(traces: DecodedTraces): IngestOutcome {
    const nowMs = this.#agent.clock.now();
    const { length: windowMs, resolution: resolutionMs } = this.#agent.config.window;
    // The first end time whose slot would push the slot holding `nowMs` out of the window.
    const endLimitMs = Math.floor(nowMs / resolutionMs) * resolutionMs + windowMs;
    const rejected = new Array<number>(REASON_COUNT).fill(0);
    let accepted = 0;
    for (const resource of traces.resources) {
      const known = this.#directory.note(resource.service, resource.namespace, nowMs);
      for (const scope of resource.scopes) {
        if (!known) {
          rejected[SERVICE_LIMIT]! += scope.spans.length;
          continue;
        }
        for (const span of scope.spans) {
          const problem = problemOf(span, endLimitMs);
          if (problem >= 0) rejected[problem]!++;
          else {
            accepted++;
            this.#record(resource.service, scope.scopeName, span);
          }
        }
      }
    }
    const rejectedTotal = rejected.reduce((sum, count) => sum + count, 0);
    return {
      accepted,
      rejected: rejectedTotal,
      message:
        rejectedTotal === 0
          ? ''
          : rejectionMessage(rejected, rejectedTotal, accepted + rejectedTotal, windowMs),
    };
  }

  #record(service: string, scopeName: string, span: DecodedSpan): void {
    const target = classifySpan(service, span, scopeName, this.#rules);
    if (target === undefined) return;
    this.#agent.record(
      service,
      target.operation,
      target.context,
      target.phase,
      span.endTimeMs - span.startTimeMs,
      span.statusCode === OTLP_STATUS_ERROR,
      span.endTimeMs,
    );
  }
}

/** The rejection reason of a span, or -1 when it can be recorded. */
function problemOf(span: DecodedSpan, endLimitMs: number): number {
  if (!span.idsValid) return INVALID_ID;
  if (span.startTimeMs === 0 || span.endTimeMs === 0) return MISSING_TIME;
  if (span.endTimeMs < span.startTimeMs) return END_BEFORE_START;
  if (span.endTimeMs >= endLimitMs) return FUTURE;
  return -1;
}

/**
 * e.g. `rejected 3 of 10 spans: 1 with an invalid trace or span id, 2 with end time before start time`.
 */
function rejectionMessage(
  rejected: readonly number[],
  rejectedTotal: number,
  total: number,
  windowMs: number,
): string {
  const descriptions = [
    'with an invalid trace or span id',
    'without start or end time',
    'with end time before start time',
    `with end time one window (${windowMs / 1000}s) or more ahead of the collector's clock`,
    "from a new service while the collector's service directory is full",
  ];
  const parts = rejected.flatMap((count, reason) =>
    count === 0 ? [] : [`${count} ${descriptions[reason]}`],
  );
  return `rejected ${rejectedTotal} of ${total} spans: ${parts.join(', ')}`;
}
