/**
 * Feeds decoded spans to the agent: checks each span, notes its service in the directory, classifies
 * it with the YAML rules (or its `headroom.*` attributes) and records its own duration and end time,
 * re-timed to arrival when the sender's clock is off (see clock-skew.ts), in the class its
 * `headroom.criticality` names (a whole operation feeds its service's admission controller). Spans
 * that cannot be trusted are rejected one by one and reported back as a partial success; spans of
 * requests the sender's admission rejected are accepted and never judged.
 */
import type { Agent, Criticality } from '../../agent/index.ts';
import {
  ADMISSION_SPAN,
  ATTR_CRITICALITY,
  admissionRejected,
  classifySpan,
  isCriticality,
  type RuleMatcher,
  releaseOnEviction,
  SeriesHandles,
  type ServiceHandles,
  SpanCriticality,
} from '../../agent/index.ts';
import type { ServiceDirectory } from '../service-directory.ts';
import { SenderClocks } from './sender-clocks.ts';
import { noRejections, problemOf, rejectionMessage, type SpanRejectionReason } from './span-rejections.ts';
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
}

const OTLP_STATUS_ERROR = 2;

/** Spans of one resource per class their `headroom.criticality` names. */
type Named = Partial<Record<Criticality, number>>;

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
  /** The senders' clock skews and the re-timing they call for. */
  readonly clocks: SenderClocks;
  #rules: RuleMatcher;
  /** Series handles by service and span names, bound once and kept across requests. */
  readonly #handles: SeriesHandles;
  readonly #criticality = new SpanCriticality();

  constructor(options: SpanIngestOptions) {
    this.#agent = options.agent;
    this.#handles = new SeriesHandles(options.agent, {
      maxHandles: 2 * options.agent.config.window.maxSeries,
    });
    releaseOnEviction(this.#handles, options.agent);
    this.#rules = options.rules;
    this.#directory = options.directory;
    this.clocks = new SenderClocks({
      maxClockSkewMs: options.maxClockSkewMs ?? options.agent.config.receiver.maxClockSkewMs,
      resolutionMs: () => options.agent.config.window.resolutionMs,
    });
  }

  /** Accepted spans whose `headroom.criticality` was not a class: they counted in their series' class. */
  get invalidCriticalities(): number {
    return this.#criticality.invalid;
  }

  /**
   * Replaces the rules (after a config reload); spans already recorded stay where they are. The
   * handles start over, since each holds the class of the rule that matched its first span.
   */
  setRules(rules: RuleMatcher): void {
    this.#rules = rules;
    this.#handles.clear();
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
    const { lengthMs: windowMs, resolutionMs, maxSpanDurationMs } = this.#agent.config.window;
    const slotStartMs = Math.floor(nowMs / resolutionMs) * resolutionMs;
    const bounds: Bounds = {
      nowMs,
      endLimitMs: slotStartMs + windowMs,
      notBeforeMs: slotStartMs + resolutionMs - windowMs,
      maxDurationMs: maxSpanDurationMs,
    };
    const tally: Tally = { accepted: 0, retimed: 0, rejected: noRejections() };
    for (const resource of traces.resources) {
      const kept = this.#directory.admit(resource.service, resource.namespace, nowMs);
      if (kept === undefined) {
        for (const scope of resource.scopes) tally.rejected.service_limit += scope.spans.length;
        continue;
      }
      // From here on the service is known by the names kept (cut to limits.nameLength): a sender's
      // 4 MB service.name must not be held, keyed or exported anywhere.
      const { service, namespace } = kept;
      this.#ingestResource(
        service === resource.service && namespace === resource.namespace
          ? resource
          : { ...resource, service, namespace },
        bounds,
        tally,
      );
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
          : rejectionMessage(
              tally.rejected,
              rejectedTotal,
              tally.accepted + rejectedTotal,
              this.#agent.config,
            ),
    };
  }

  #ingestResource(resource: DecodedResourceSpans, bounds: Bounds, tally: Tally): void {
    const shiftMs = this.clocks.shiftOf(resource, bounds.nowMs, bounds.maxDurationMs);
    const handles = this.#handles.of(resource.service, resource.namespace);
    const named: Named = {};
    for (const scope of resource.scopes) {
      for (const span of scope.spans) {
        const problem = problemOf(span, bounds.maxDurationMs);
        if (problem !== undefined) {
          tally.rejected[problem]++;
          continue;
        }
        const endMs = this.clocks.endOf(span.endTimeMs, shiftMs, bounds.nowMs, bounds.endLimitMs);
        if (endMs >= bounds.endLimitMs) {
          tally.rejected.future++;
          continue;
        }
        tally.accepted++;
        if (endMs !== span.endTimeMs) tally.retimed++;
        this.#record(handles, scope.scopeName, span, endMs, bounds.notBeforeMs);
        const criticality = span.attributes[ATTR_CRITICALITY];
        if (isCriticality(criticality) && endMs >= bounds.notBeforeMs && span.name !== ADMISSION_SPAN)
          named[criticality] = (named[criticality] ?? 0) + 1;
      }
    }
    this.#requested(resource, named);
  }

  /**
   * Tells the service's admission controller which classes its spans named (review16 M3): in
   * collector mode `admit()` runs in the service, and a span carrying `headroom.criticality` (the
   * HTTP middleware puts it on every request's server span, admitted or rejected; `track()` on its
   * operation spans), judged or not, is the collector's evidence that the class is in use. Spans
   * ending before the window say nothing about now, and an embedded agent's `headroom.admission`
   * span names the class of a decision, not a request. Nothing with `admission.enabled: false`.
   */
  #requested(resource: DecodedResourceSpans, named: Named): void {
    const entries = Object.entries(named) as [Criticality, number][];
    if (entries.length === 0 || !this.#agent.config.admission.enabled) return;
    const controller = this.#agent.admission(resource.service, resource.namespace);
    for (const [criticality, count] of entries) controller.requested(criticality, count);
  }

  #record(
    handles: ServiceHandles,
    scopeName: string,
    span: DecodedSpan,
    endTimeMs: number,
    notBeforeMs: number,
  ): void {
    // Accepted, never judged: the sender's admission rejected the request (it counted it there).
    if (admissionRejected(span.attributes)) return;
    classifySpan(handles, span, scopeName, this.#rules)?.record(
      span.endTimeMs - span.startTimeMs,
      span.statusCode === OTLP_STATUS_ERROR,
      endTimeMs,
      notBeforeMs,
      this.#criticality.of(span.attributes),
    );
  }
}
