/**
 * The contract of client-side adaptive throttling (Google SRE, "Handling Overload", "Client-side
 * throttling"): what `headroom.throttle(target)` returns and what its calls answer. Outcomes are
 * values: a locally rejected call is a {@link Throttled}, never an exception.
 */
import type { Criticality } from '../../agent/index.ts';

/** Stable code of a call rejected at the client, for logs, replies and metrics. */
export const CLIENT_THROTTLED = 'HEADROOM_CLIENT_THROTTLED';

/** A call the throttle lets through: send it, then report how the backend took it with {@link record}. */
export interface ThrottleAllowed {
  readonly throttled: false;
  readonly target: string;
  /** The class the call was counted in. */
  readonly criticality: Criticality;
  /** The local rejection probability the call was judged at, 0..1. */
  readonly probability: number;
  /**
   * Reports how the backend took this call, counted in this call's class (`criticality`) whatever
   * context the report runs in: a callback, an event or an ack that lost the attempt's context
   * counts where the attempt did. The first report counts; later ones are ignored. Never throws.
   */
  record(accepted: boolean): void;
}

/** A call rejected locally: it was not sent; the backend refused most recent calls of its class. */
export interface Throttled {
  readonly throttled: true;
  /** Always {@link CLIENT_THROTTLED}. */
  readonly code: typeof CLIENT_THROTTLED;
  readonly target: string;
  readonly criticality: Criticality;
  /** The local rejection probability the call was judged at, 0..1 (always below 1). */
  readonly probability: number;
  /** A sentence for humans with the numbers behind the rejection. */
  readonly message: string;
}

/** What {@link Throttle.attempt} answers; it never throws. */
export type ThrottleDecision = ThrottleAllowed | Throttled;

/** A call {@link Throttle.run} sent: what the function returned and how it was counted. */
export interface ThrottleSent<R> extends Omit<ThrottleAllowed, 'record'> {
  /** What the function resolved to (a fetch `Response` of any status included). */
  readonly value: R;
  /** Whether it counted as accepted by the backend (see {@link RunOptions.isAccepted}). */
  readonly accepted: boolean;
}

/** What {@link Throttle.run} resolves to: the sent call's value, or the local rejection. */
export type ThrottleRunResult<R> = ThrottleSent<R> | Throttled;

/** How a sent call ended, as {@link RunOptions.isAccepted} sees it. */
export type CallOutcome<R> =
  | { readonly ok: true; readonly value: R }
  | { readonly ok: false; readonly error: unknown };

/** Options of one call. */
export interface CallOptions {
  /**
   * The class the call is counted and judged in; stats are kept per class, so a backend shedding
   * SHEDDABLE work does not throttle CRITICAL calls. @default the class of the work in hand as
   * this service judged it (as `admit()` does: the class code or the middleware settled, else the
   * incoming `headroom.criticality` baggage claim lowered to at most CRITICAL), else CRITICAL
   */
  readonly criticality?: Criticality;
}

/** Options of {@link Throttle.run}. */
export interface RunOptions<R> extends CallOptions {
  /**
   * Whether the backend accepted the call. @default an HTTP status 429 or 503 (`status` or
   * `statusCode` of the value, or of the error or its `response`) is refused, any other status
   * accepted; an error without a status (connection refused or reset, timeout) is refused;
   * a value without a status is accepted. A classifier that throws counts the call as refused.
   * Never asked about a call its caller aborted (see {@link RunOptions.signal}).
   */
  readonly isAccepted?: (outcome: CallOutcome<R>) => boolean;
  /**
   * The caller's own abort signal (the one given to fetch, `req.headroom.signal`, `op.signal`).
   * A call that fails without an HTTP status after it aborted, for any reason but a
   * `TimeoutError`, is the caller giving up, not the backend refusing: it is counted as neither a
   * request nor an accept (`aborted` in the stats). Without it, only an error named `AbortError`
   * is recognised so; a custom abort reason is then a refusal. A `TimeoutError` always is.
   */
  readonly signal?: AbortSignal;
}

/** Options of `headroom.throttle(target, options)`. */
export interface ThrottleOptions {
  /**
   * This target's multiplier: calls keep going out until requests reach k x accepts (at least 1).
   * @default `admission.clientThrottle.k` (2)
   */
  readonly k?: number;
}

/**
 * Adaptive throttling of the calls to one backend (`target`). Over the last
 * `admission.clientThrottle.window` (2 min) it counts, per class, the calls attempted (those it
 * rejected itself included) and those the backend accepted, and rejects a new call locally with
 * probability max(0, (requests - k x accepts) / (requests + 1)) (Google SRE, "Handling Overload").
 */
export interface Throttle {
  readonly target: string;
  /** The multiplier in force. */
  readonly k: number;
  /**
   * Judges one call and counts it as a request. On {@link ThrottleAllowed}, send it and then call
   * the decision's `record(accepted)` once (a call never recorded counts as refused). Never throws.
   * @example
   * const call = payments.attempt();
   * if (call.throttled) return fallback();
   * stream.on('response', (res) => call.record(res.statusCode !== 503)); // counted in the attempt's class
   */
  attempt(options?: CallOptions): ThrottleDecision;
  /**
   * Counts one answer of the backend in `options.criticality`, else in the class active where it
   * runs (not necessarily the attempt's: a callback that lost the attempt's context counts in
   * CRITICAL). Prefer the decision's own `record(accepted)`, or pass the decision:
   * `record(accepted, decision)`. Never throws.
   */
  record(accepted: boolean, options?: CallOptions): void;
  /**
   * `attempt()`, then, unless throttled, calls `fn` and records its outcome. Resolves to
   * {@link ThrottleSent} with fn's value or to {@link Throttled} (fn not called); fn's own
   * errors (thrown or rejected) pass through untouched, after being recorded (a call its caller
   * aborted is taken back out of the counts: see {@link RunOptions.signal}).
   * @example
   * const result = await headroom.throttle('payments').run(() => fetch(url));
   * if (result.throttled) return fallback(); // not sent: payments refuses most calls
   * const response = result.value;
   */
  run<R>(
    fn: () => R | PromiseLike<R>,
    options?: RunOptions<Awaited<R>>,
  ): Promise<ThrottleRunResult<Awaited<R>>>;
  /** The local rejection probability a call of this class would be judged at now, 0..1. */
  probability(options?: CallOptions): number;
}

/** Counts of one (target, class), for metrics. Totals are since the throttle was created. */
export interface ClientThrottleStats {
  readonly target: string;
  readonly criticality: Criticality;
  /** Calls allowed out. */
  readonly sent: number;
  /** Calls rejected locally. */
  readonly throttled: number;
  /** Sent calls recorded as accepted. */
  readonly accepted: number;
  /** Sent calls recorded as refused. */
  readonly refused: number;
  /** Sent calls their caller aborted (`run()` only): counted neither as requests nor accepts. */
  readonly aborted: number;
  /** Local rejection probability now, 0..1 (0 while `admission.clientThrottle.enabled` is false). */
  readonly probability: number;
}
