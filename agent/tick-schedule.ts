/**
 * Which evaluation intervals are due at a tick. The agent ticks at the shortest configured
 * interval; a context with a longer `evaluationInterval` is judged only when its own is due.
 */
export class TickSchedule {
  readonly tickMs: number;
  readonly #lastMs = new Map<number, number>();
  #due = new Set<number>();

  constructor(intervalsMs: Iterable<number>) {
    this.tickMs = Math.min(...intervalsMs);
  }

  /** Marks the intervals due at `nowMs` (within half a tick of their period) and returns a test for them. */
  begin(nowMs: number, intervalsMs: Iterable<number>): (intervalMs: number) => boolean {
    const due = new Set<number>();
    for (const interval of intervalsMs) {
      const last = this.#lastMs.get(interval);
      if (last === undefined || nowMs - last >= interval - this.tickMs / 2) {
        due.add(interval);
        this.#lastMs.set(interval, nowMs);
      }
    }
    this.#due = due;
    return (intervalMs) => this.#due.has(intervalMs);
  }
}
