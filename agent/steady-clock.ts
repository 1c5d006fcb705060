/**
 * A clock that never goes back (review15g M2). The agent's clock is the wall clock, as span end
 * times are, and the wall clock can step back (an NTP step, a VM resumed from a snapshot). A
 * window that keys its slots by time then takes every later sample for one older than its window
 * and refuses it, and every "since" (a step's delay, the flow's marks, a back-off) waits for the
 * step to pass: admission was blind for as long as the step (60 s back: the first decision at the
 * overload's second 58 instead of 1). A `SteadyClock` reads the wall clock and adds the sum of the
 * steps back it has seen, so its time goes on from where it was; {@link SteadyClock.fromWall} puts
 * a wall-clock time (a span's end) on the same scale, so samples stamped after the step land in the
 * slot of now. A forward jump is followed as it is (time that passed and a jump look alike): the
 * windows hold nothing older than the jump, and fill again within one window. A time stamped before
 * a step back and read after it lands that step ahead of now (a window refuses it as from the
 * future). Where a time leaves the agent (a decision's `atMs`), it is the wall clock's.
 * @example
 * const steady = new SteadyClock(systemClock);
 * windows.record(ratio, steady.fromWall(span.endMs));
 * windows.quantile(steady.now(), 0.95);
 */
import type { Clock, TimerHandle } from './clock.ts';

/** The wall clock's time plus the steps back it took; timers are the wall clock's. */
export class SteadyClock implements Clock {
  readonly #wall: Clock;
  /** The sum of the steps back seen, ms (>= 0). */
  #offsetMs = 0;
  /** The latest time this clock gave, ms. */
  #lastMs = Number.NEGATIVE_INFINITY;

  constructor(wall: Clock) {
    this.#wall = wall;
  }

  /** The wall clock's time plus the steps back seen: never less than the time it gave last, ms. */
  now(): number {
    const steadyMs = this.#wall.now() + this.#offsetMs;
    if (steadyMs < this.#lastMs) {
      this.#offsetMs += this.#lastMs - steadyMs;
      return this.#lastMs;
    }
    this.#lastMs = steadyMs;
    return steadyMs;
  }

  /** `wallMs`, a wall-clock time (a span's end, ms since the epoch), on this clock's scale. */
  fromWall(wallMs: number): number {
    this.now();
    return wallMs + this.#offsetMs;
  }

  every(intervalMs: number, fn: () => void): TimerHandle {
    return this.#wall.every(intervalMs, fn);
  }

  after(delayMs: number, fn: () => void): TimerHandle {
    return this.#wall.after(delayMs, fn);
  }
}
