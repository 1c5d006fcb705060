/**
 * The history rings of every whole operation (no phases, no overflow service): sampled on the
 * agent's tick whenever a resolution boundary is crossed (the first tick at or after each multiple
 * of `resolutionMs`), so it costs nothing between boundaries and needs no timer of its own. A
 * series the agent forgets (idle eviction) loses its ring at the next tick.
 */
import type { Agent, Series, TickResult } from '../agent/index.ts';
import { OVERFLOW, OVERFLOW_OPERATION } from '../agent/index.ts';
import { HistoryRing } from './history-ring.ts';
import { type OperationNow, operationNow } from './operation-now.ts';
import type { VerdictCache } from './verdict-cache.ts';

/** Options of {@link ViewHistory}. */
export interface ViewHistoryOptions {
  readonly agent: Agent;
  /** Follows the agent's ticks; subscribe it before the history, so each tick's verdicts are in. */
  readonly verdicts: VerdictCache;
  /** `ui.history.resolutionMs`. */
  readonly resolutionMs: number;
  /** `ui.history.lengthMs`: the ring holds `ceil(lengthMs / resolutionMs)` points. */
  readonly lengthMs: number;
}

/** Called at each resolution step with every whole operation's values at that step. */
export type StepListener = (atMs: number, operations: readonly OperationNow[]) => void;

/** Whether a series is one the view shows: a whole operation of a real service. */
export function isWholeOperation(series: Series): boolean {
  return (
    series.phase === '' &&
    series.operation !== OVERFLOW_OPERATION &&
    series.service !== OVERFLOW &&
    series.namespace !== OVERFLOW
  );
}

export class ViewHistory {
  readonly #agent: Agent;
  readonly #verdicts: VerdictCache;
  readonly resolutionMs: number;
  readonly lengthMs: number;
  readonly #capacity: number;
  readonly #rings = new Map<Series, HistoryRing>();
  readonly #listeners = new Set<StepListener>();
  readonly #unsubscribe: () => void;
  /** The newest step sampled; -Infinity before the first. */
  #step = Number.NEGATIVE_INFINITY;

  constructor(options: ViewHistoryOptions) {
    this.#agent = options.agent;
    this.#verdicts = options.verdicts;
    this.resolutionMs = options.resolutionMs;
    this.lengthMs = options.lengthMs;
    this.#capacity = Math.ceil(options.lengthMs / options.resolutionMs);
    this.#unsubscribe = options.agent.onTick((tick) => this.#onTick(tick));
  }

  /** Rings held now (one per whole operation seen at a step and not evicted since). */
  get size(): number {
    return this.#rings.size;
  }

  /** Bytes the rings' typed arrays hold now ({@link HistoryRing.bytesFor} each). */
  get bytes(): number {
    return this.#rings.size * HistoryRing.bytesFor(this.#capacity);
  }

  /** The ring of `series`, if it was sampled and not evicted. */
  ringOf(series: Series): HistoryRing | undefined {
    return this.#rings.get(series);
  }

  /** The newest step sampled (an index: time / resolution). */
  get step(): number {
    return this.#step;
  }

  /** Calls `listener` at each step; returns the function that removes it. */
  onStep(listener: StepListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops sampling and frees every ring. */
  close(): void {
    this.#unsubscribe();
    this.#rings.clear();
    this.#listeners.clear();
  }

  #onTick(tick: TickResult): void {
    for (const series of this.#rings.keys()) if (series.retired) this.#rings.delete(series);
    const step = Math.floor(tick.at / this.resolutionMs);
    if (step <= this.#step) return;
    this.#step = step;
    const operations = this.#agent.registry
      .list()
      .filter(isWholeOperation)
      .map((series) => operationNow(this.#agent, this.#verdicts, series, tick.at));
    for (const now of operations) this.#record(step, now);
    // Runs inside the agent's tick listener: the agent logs and contains a throw.
    for (const listener of this.#listeners) listener(step * this.resolutionMs, operations);
  }

  #record(step: number, now: OperationNow): void {
    let ring = this.#rings.get(now.series);
    if (ring === undefined) {
      ring = new HistoryRing(this.#capacity, this.resolutionMs);
      this.#rings.set(now.series, ring);
    }
    ring.write(step, {
      p50: now.latencyMs.p50 ?? undefined,
      p95: now.latencyMs.p95 ?? undefined,
      p99: now.latencyMs.p99 ?? undefined,
      budgetMs: now.budgetMs ?? undefined,
      count: now.count,
    });
  }
}
