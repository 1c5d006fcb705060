/**
 * What a tracked function receives: its budget, the time left, an AbortSignal for the hard
 * deadline, and phases. Everything that costs (clock reads, timers) happens only when asked for.
 */
import type { Span } from '@opentelemetry/api';
import type { ContextName, PhaseName } from '../config/index.ts';
import type { OperationBinding } from './operation-binding.ts';

/**
 * The handle passed to a function run by `track()`, in budget context `C`: `string`, or the
 * context passed to `track()` once `headroom types` has generated the configured names.
 */
export interface Operation<C extends string = ContextName> {
  /** The operation's OpenTelemetry span. */
  readonly span: Span;
  /** The operation name. */
  readonly name: string;
  /** The budget context. */
  readonly context: C;
  /** Effective budget right now (base x load x modifiers x class multiplier), ms. */
  budgetMs(): number;
  /** Budget left, ms (negative once over budget). */
  remainingMs(): number;
  /**
   * Fires with a `TimeoutError` when the hard deadline (budget x hardDeadlineFactor) passes: the
   * time left when it is first read runs out on the agent's clock. Created on first access.
   */
  readonly signal: AbortSignal;
  /**
   * Runs `fn` as a phase of the operation: a child span judged against the phase's share of the
   * budget (`phases` in the context's config). Sync or async, the result and errors pass through.
   */
  phase<R>(name: PhaseName<C>, fn: () => R): R;
}

/** Longest delay a Node timer accepts, ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Milliseconds since the epoch, from the same clock the SDK stamps spans with. */
export function nowEpochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The reason `AbortSignal.timeout()` aborts with, so callers see the error they know. */
function timeoutError(): DOMException {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError');
}

/** {@link Operation} over a binding; `C` is the context the binding was made for. */
export class OperationHandle<C extends string = string> implements Operation<C> {
  readonly span: Span;
  readonly #binding: OperationBinding;
  #startMs: number | undefined;
  #signal: AbortSignal | undefined;

  constructor(span: Span, binding: OperationBinding) {
    this.span = span;
    this.#binding = binding;
  }

  get name(): string {
    return this.#binding.operation;
  }

  get context(): C {
    // The binding's context is the `context` track() was given (a string passes through as is).
    return this.#binding.context as C;
  }

  budgetMs(): number {
    return this.#binding.effectiveBudgetMs();
  }

  remainingMs(): number {
    return this.budgetMs() - (nowEpochMs() - this.#start());
  }

  get signal(): AbortSignal {
    if (this.#signal === undefined) {
      const deadlineMs = this.budgetMs() * this.#binding.hardDeadlineFactor;
      const leftMs = Math.max(0, Math.ceil(deadlineMs - (nowEpochMs() - this.#start())));
      const controller = new AbortController();
      // An operation without a budget (unknown context) has no deadline: its signal never fires.
      // The clock's timers never keep the process alive (as AbortSignal.timeout's).
      if (leftMs <= MAX_TIMER_MS) this.#binding.clock.after(leftMs, () => controller.abort(timeoutError()));
      this.#signal = controller.signal;
    }
    return this.#signal;
  }

  phase<R>(name: string, fn: () => R): R {
    return this.#binding.runPhase(name, fn);
  }

  /** Start of the operation: the span's own start time when the SDK exposes it. */
  #start(): number {
    if (this.#startMs === undefined) {
      const start = (this.span as { startTime?: [number, number] }).startTime;
      this.#startMs = Array.isArray(start) ? start[0] * 1000 + start[1] / 1e6 : nowEpochMs();
    }
    return this.#startMs;
  }
}
