/**
 * Time as a dependency: everything that reads the time or schedules work takes a `Clock`, so tests
 * drive windows, ticks, retries and recoveries with a fake one instead of sleeping (STYLE.md 20).
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
  /** Calls `fn` once, `delayMs` from now, unless cancelled first. Unref'd, as `every()`. */
  after(delayMs: number, fn: () => void): TimerHandle;
}

/** The error a {@link sleep} rejects with when its signal aborts: the signal's reason. */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Resolves `ms` from now on `clock`; rejects with the signal's reason as soon as `signal` aborts
 * (at once when it already has). Never keeps the process alive.
 * @example await sleep(clock, backoffMs, controller.signal);
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      timer.cancel();
      reject(abortReason(signal as AbortSignal));
    };
    const timer = clock.after(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Longest delay Node's timers take, ms (2^31 - 1, about 24.8 days); past it Node fires after 1 ms,
 * which would turn a long wait (a `600h` duration, a receiver's Retry-After) into a tight loop.
 */
const TIMER_LIMIT_MS = 2 ** 31 - 1;

/** The real clock: `Date.now()` and unref'd timers; delays past Node's timer limit wait in steps. */
export const systemClock: Clock = {
  now: () => Date.now(),
  every(intervalMs, fn) {
    // An interval past the limit never comes in a process's life; the limit stands for it.
    const timer = setInterval(fn, Math.min(intervalMs, TIMER_LIMIT_MS));
    timer.unref();
    return { cancel: () => clearInterval(timer) };
  },
  after(delayMs, fn) {
    let timer: NodeJS.Timeout;
    const arm = (leftMs: number): void => {
      const stepMs = Math.min(leftMs, TIMER_LIMIT_MS);
      timer = setTimeout(() => (leftMs > stepMs ? arm(leftMs - stepMs) : fn()), stepMs);
      timer.unref();
    };
    arm(delayMs);
    return { cancel: () => clearTimeout(timer) };
  },
};

interface ManualTimer {
  next: number;
  /** 0 for a one-shot timer. */
  readonly intervalMs: number;
  readonly fn: () => void;
  /** Order of creation: timers due at the same instant fire in the order they were set. */
  readonly seq: number;
}

/**
 * A clock tests move by hand. `advance()` runs due callbacks in time order, synchronously;
 * `advanceAsync()` also lets the promise chains those callbacks start run between timers, so a
 * retry loop (`await sleep()`, `await send()`, `await sleep()`) progresses as it would in real time.
 */
export class ManualClock implements Clock {
  #nowMs: number;
  #seq = 0;
  #timers = new Set<ManualTimer>();

  constructor(startMs = 1_700_000_000_000) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  every(intervalMs: number, fn: () => void): TimerHandle {
    const periodMs = Math.max(1, intervalMs);
    return this.#add(periodMs, periodMs, fn);
  }

  after(delayMs: number, fn: () => void): TimerHandle {
    return this.#add(Math.max(0, delayMs), 0, fn);
  }

  /** Timers waiting to fire (intervals count until cancelled). */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.#nowMs + ms;
    for (let due = this.#nextDue(target); due !== undefined; due = this.#nextDue(target)) this.#fire(due);
    this.#nowMs = target;
  }

  /**
   * Moves time forward by `ms` like `advance()`, but after each timer (and once before the first)
   * waits for the event loop to run what that timer started (resolved promises, I/O already
   * done), so timers set by that work fire in the same call when they fall due.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.#nowMs + ms;
    await settle();
    for (let due = this.#nextDue(target); due !== undefined; due = this.#nextDue(target)) {
      this.#fire(due);
      await settle();
    }
    this.#nowMs = target;
  }

  #add(delayMs: number, intervalMs: number, fn: () => void): TimerHandle {
    const timer: ManualTimer = { next: this.#nowMs + delayMs, intervalMs, fn, seq: this.#seq++ };
    this.#timers.add(timer);
    return { cancel: () => this.#timers.delete(timer) };
  }

  #nextDue(target: number): ManualTimer | undefined {
    let due: ManualTimer | undefined;
    for (const timer of this.#timers) {
      if (timer.next > target) continue;
      if (due === undefined || timer.next < due.next || (timer.next === due.next && timer.seq < due.seq))
        due = timer;
    }
    return due;
  }

  #fire(timer: ManualTimer): void {
    this.#nowMs = timer.next;
    if (timer.intervalMs === 0) this.#timers.delete(timer);
    else timer.next += timer.intervalMs;
    timer.fn();
  }
}

/** Lets pending promise callbacks and immediates run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
