/**
 * Adaptive throttling of the calls to one backend, as Google's SRE book describes it ("Handling
 * Overload", "Client-side throttling"): each client counts, over the last two minutes, the
 * `requests` its code attempted (those it rejected itself included) and the `accepts` the backend
 * took, and rejects a new call locally with probability
 * max(0, (requests - K x accepts) / (requests + 1)). While the backend accepts everything the
 * probability is 0; once it refuses, the client keeps sending about K x what it accepts, so the
 * backend sees enough traffic to show it has recovered, and the rest never leaves the process.
 * Stats are kept per criticality class, as the book's system does: a backend shedding SHEDDABLE
 * work does not make its client throttle CRITICAL calls.
 */
import { context } from '@opentelemetry/api';
import { type Clock, type Criticality, isCriticality } from '../../agent/index.ts';
import { activeCriticality } from '../criticality/active-criticality.ts';
import { AllowedCall, type CountOutcome } from './allowed-call.ts';
import { acceptedByDefault, callerAborted } from './call-outcome.ts';
import { RequestWindow } from './request-window.ts';
import {
  type CallOptions,
  type CallOutcome,
  CLIENT_THROTTLED,
  type ClientThrottleStats,
  type RunOptions,
  type Throttle,
  type ThrottleDecision,
  type Throttled,
  type ThrottleRunResult,
} from './types.ts';

/**
 * The SRE book's client request rejection probability: max(0, (requests - k x accepts) /
 * (requests + 1)). 0 without traffic and while requests <= k x accepts; below 1 always, so a
 * client never stops probing its backend entirely.
 * @param requests calls attempted in the window, locally rejected ones included
 * @param accepts calls the backend accepted in the window
 * @param k the multiplier (the book prefers 2)
 */
export function rejectionProbability(requests: number, accepts: number, k: number): number {
  return Math.max(0, (requests - k * accepts) / (requests + 1));
}

/** What a {@link ClientThrottle} runs on. */
export interface ClientThrottleOptions {
  readonly target: string;
  /** At least 1. */
  readonly k: number;
  /** Length of the window, ms (`admission.clientThrottle.window`). */
  readonly windowMs: number;
  /** false: every call is allowed (still counted) and the probability is 0. */
  readonly enabled: boolean;
  readonly clock: Clock;
  /** Uniform in [0, 1); a call is throttled when it draws below the probability. */
  readonly random: () => number;
}

interface ClassState {
  readonly window: RequestWindow;
  sent: number;
  throttled: number;
  accepted: number;
  refused: number;
  aborted: number;
}

/** The {@link Throttle} of one target; create it with `headroom.throttle(target)`. */
export class ClientThrottle implements Throttle {
  readonly target: string;
  readonly k: number;
  readonly #options: ClientThrottleOptions;
  // Created on first use: a class no call was made in costs nothing.
  readonly #classes = new Map<Criticality, ClassState>();
  /** What an {@link AllowedCall}'s own record() counts with. */
  readonly #counter: CountOutcome = (criticality, accepted) => this.#count(criticality, accepted);

  constructor(options: ClientThrottleOptions) {
    this.target = options.target;
    this.k = options.k;
    this.#options = options;
  }

  attempt(options?: CallOptions): ThrottleDecision {
    return this.#attempt(classOf(options)).decision;
  }

  /** The decision, and the window bucket the request was counted in. */
  #attempt(criticality: Criticality): { decision: ThrottleDecision; bucket: number } {
    const state = this.#state(criticality);
    const nowMs = this.#options.clock.now();
    const { requests, accepts } = state.window.counts(nowMs);
    const probability = this.#probability(requests, accepts);
    const bucket = state.window.addRequest(nowMs);
    if (probability > 0 && this.#options.random() < probability) {
      state.throttled++;
      return { decision: this.#throttled(criticality, probability, requests, accepts), bucket };
    }
    state.sent++;
    const decision = new AllowedCall(this.target, criticality, probability, this.#counter);
    return { decision, bucket };
  }

  record(accepted: boolean, options?: CallOptions): void {
    this.#count(classOf(options), accepted === true);
  }

  async run<R>(
    fn: () => R | PromiseLike<R>,
    options?: RunOptions<Awaited<R>>,
  ): Promise<ThrottleRunResult<Awaited<R>>> {
    const { decision, bucket } = this.#attempt(classOf(options));
    if (decision.throttled) return decision;
    const classify = options?.isAccepted ?? acceptedByDefault;
    let value: Awaited<R>;
    try {
      value = await fn();
    } catch (error) {
      if (callerAborted(error, options?.signal)) this.#abort(decision.criticality, bucket);
      else this.#count(decision.criticality, safely(classify, { ok: false, error }));
      throw error;
    }
    const accepted = safely(classify, { ok: true, value });
    this.#count(decision.criticality, accepted);
    const { target, criticality, probability } = decision;
    return Object.freeze({ throttled: false as const, target, criticality, probability, value, accepted });
  }

  probability(options?: CallOptions): number {
    const state = this.#classes.get(classOf(options));
    if (state === undefined) return 0;
    const { requests, accepts } = state.window.counts(this.#options.clock.now());
    return this.#probability(requests, accepts);
  }

  /** Counts of every class a call was made in, for metrics. */
  stats(): ClientThrottleStats[] {
    return [...this.#classes].map(([criticality, { sent, throttled, accepted, refused, aborted }]) => ({
      target: this.target,
      criticality,
      sent,
      throttled,
      accepted,
      refused,
      aborted,
      probability: this.probability({ criticality }),
    }));
  }

  #probability(requests: number, accepts: number): number {
    return this.#options.enabled ? rejectionProbability(requests, accepts, this.k) : 0;
  }

  #count(criticality: Criticality, accepted: boolean): void {
    const state = this.#state(criticality);
    if (accepted) {
      state.accepted++;
      state.window.addAccept(this.#options.clock.now());
    } else {
      state.refused++;
    }
  }

  /** A sent call its caller aborted: neither a request nor an accept (it leaves the window). */
  #abort(criticality: Criticality, bucket: number): void {
    const state = this.#state(criticality);
    state.aborted++;
    state.window.removeRequest(bucket);
  }

  #state(criticality: Criticality): ClassState {
    let state = this.#classes.get(criticality);
    if (state === undefined) {
      const window = new RequestWindow(this.#options.windowMs);
      state = { window, sent: 0, throttled: 0, accepted: 0, refused: 0, aborted: 0 };
      this.#classes.set(criticality, state);
    }
    return state;
  }

  #throttled(criticality: Criticality, probability: number, requests: number, accepts: number): Throttled {
    const seconds = this.#options.windowMs / 1000;
    return Object.freeze({
      throttled: true,
      code: CLIENT_THROTTLED,
      target: this.target,
      criticality,
      probability,
      message: `${this.target} (${criticality}): call rejected locally with probability ${round(probability)}; the backend accepted ${accepts} of ${requests} calls attempted in the last ${seconds} s (k = ${this.k})`,
    });
  }
}

/**
 * The class of a call: its option, else the class of the work in hand as this service judged it
 * (settled by code or the middleware, else an incoming baggage claim lowered to at most CRITICAL),
 * never an unvetted claim; an invalid option is ignored.
 */
function classOf(options: CallOptions | undefined): Criticality {
  const chosen = options?.criticality;
  return isCriticality(chosen) ? chosen : activeCriticality(context.active());
}

/** A classifier's answer; one that throws counts the call as refused. */
function safely<R>(classify: (outcome: CallOutcome<R>) => boolean, outcome: CallOutcome<R>): boolean {
  try {
    return classify(outcome) === true;
  } catch {
    return false;
  }
}

function round(probability: number): number {
  return Math.round(probability * 1000) / 1000;
}
