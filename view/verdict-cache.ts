/**
 * The latest verdict of every series, kept across ticks. A tick judges only the contexts whose
 * evaluation interval is due, so the last tick alone would show a slow context as unevaluated half
 * the time; this cache remembers each series' own latest verdict.
 */
import type { Agent, SeriesKey, SeriesTarget, TickResult, Verdict } from '../agent/index.ts';

/** Map key of a series; NUL cannot appear in OTLP names that matter here. */
function keyOf(series: SeriesKey): string {
  return `${series.namespace}\u0000${series.service}\u0000${series.operation}\u0000${series.context}\u0000${series.phase}`;
}

/** The latest verdict per series, bounded by age (one window length). */
export class VerdictCache {
  readonly #verdicts = new Map<string, Verdict>();
  /** Verdicts older than this are dropped, ms (the window length: older ones describe nothing left). */
  readonly #maxAgeMs: number;
  readonly #unsubscribe: () => void;

  /** Seeds from the agent's last tick and follows every later one until {@link close}. */
  constructor(agent: Agent) {
    this.#maxAgeMs = agent.config.window.lengthMs;
    if (agent.lastTick !== undefined) this.#update(agent.lastTick);
    this.#unsubscribe = agent.onTick((tick) => this.#update(tick));
  }

  /** The latest verdict of `series`, if one is kept. */
  get(series: SeriesKey): Verdict | undefined {
    return this.#verdicts.get(keyOf(series));
  }

  /** Stops following ticks. */
  close(): void {
    this.#unsubscribe();
    this.#verdicts.clear();
  }

  #update(tick: TickResult): void {
    for (const verdict of tick.verdicts) this.#verdicts.set(keyOf(verdict.series), verdict);
    const oldestMs = tick.at - this.#maxAgeMs;
    for (const [key, verdict] of this.#verdicts) if (verdict.at < oldestMs) this.#verdicts.delete(key);
  }
}

/**
 * A kept verdict still describes its series when no later evaluation of the series' context has
 * happened since: otherwise that evaluation found too few samples.
 */
export function isCurrentVerdict(
  verdict: Verdict | undefined,
  target: SeriesTarget | undefined,
  lastTickAt: number | undefined,
): verdict is Verdict {
  if (verdict === undefined || target === undefined || lastTickAt === undefined) return false;
  return verdict.at + target.evaluationIntervalMs > lastTickAt;
}
