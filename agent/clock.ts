/**
 * Time as a dependency: everything that reads the time or schedules work takes a `Clock`, so tests
 * drive windows, ticks and recoveries with a fake one instead of sleeping.
 */

/** Handle of a scheduled callback. */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the Unix epoch (wall clock, as span end times are). */
  now(): number;
  /**
   * Calls `fn` every `intervalMs` until cancelled. Real timers are unref'd: a clock never keeps
   * the process alive.
   */
  every(intervalMs: number, fn: () => void): TimerHandle;
}

/** The real clock: `Date.now()` and unref'd intervals. */
export const systemClock: Clock = {
  now: () => Date.now(),
  every(intervalMs, fn) {
    const timer = setInterval(fn, intervalMs);
    timer.unref();
    return { cancel: () => clearInterval(timer) };
  },
};

/** A clock tests move by hand; `advance()` runs due callbacks in time order. */
export class ManualClock implements Clock {
  #nowMs: number;
  #timers = new Set<{ next: number; intervalMs: number; fn: () => void }>();

  constructor(startMs = 1_700_000_000_000) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  every(intervalMs: number, fn: () => void): TimerHandle {
    const timer = { next: this.#nowMs + intervalMs, intervalMs, fn };
    this.#timers.add(timer);
    return { cancel: () => this.#timers.delete(timer) };
  }

  /** Moves time forward by `ms`, firing every interval that falls due on the way. */
  advance(ms: number): void {
    const target = this.#nowMs + ms;
    for (;;) {
      let due: { next: number; intervalMs: number; fn: () => void } | undefined;
      for (const timer of this.#timers)
        if (timer.next <= target && (!due || timer.next < due.next)) due = timer;
      if (due === undefined) break;
      this.#nowMs = due.next;
      due.next += due.intervalMs;
      due.fn();
    }
    this.#nowMs = target;
  }
}
