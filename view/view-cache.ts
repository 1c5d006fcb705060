/**
 * The `GET /api/v1/view` answer serialized once per filter and shared: every stream that opens and
 * every GET with the same filter (the caller's namespace binding and `?namespace=`) gets the same
 * `Buffer`, which Node writes without copying. At 1,000 operations the view is ~4 MB; serialized
 * per reader, 64 readers that read nothing held ~240 MB (review16c H2). An answer is reused until
 * the agent's state moves (a tick, a degradation or admission decision, an override, an eviction)
 * and for at most `maxAgeMs`, so its `generatedAtMs` is never older than that.
 */
import type { Agent, Clock } from '../agent/index.ts';
import type { ViewFilter, ViewModel } from './view-model.ts';

/** How long a serialized view is reused while the agent's state does not move, ms. */
const VIEW_REUSE_MS = 1000;

/** One key per filter: the caller's binding and `?namespace=` (each possibly absent). */
export function filterKey(filter: ViewFilter): string {
  return JSON.stringify([filter.principal.namespace ?? null, filter.namespace ?? null]);
}

export class ViewCache {
  readonly #model: ViewModel;
  readonly #clock: Clock;
  readonly #byFilter = new Map<string, Buffer>();
  #builtAtMs = Number.NEGATIVE_INFINITY;
  readonly #stops: (() => void)[];

  constructor(agent: Agent, model: ViewModel) {
    this.#model = model;
    this.#clock = agent.clock;
    const moved = () => this.#byFilter.clear();
    this.#stops = [
      agent.onTick(moved),
      agent.onDecision(moved),
      agent.onAdmissionDecision(moved),
      agent.onServiceEvicted(moved),
    ];
  }

  /** The view `filter` lets through, as UTF-8 JSON. */
  json(filter: ViewFilter): Buffer {
    const nowMs = this.#clock.now();
    if (nowMs - this.#builtAtMs >= VIEW_REUSE_MS || nowMs < this.#builtAtMs) {
      this.#byFilter.clear();
      this.#builtAtMs = nowMs;
    }
    const key = filterKey(filter);
    let json = this.#byFilter.get(key);
    if (json === undefined) {
      if (this.#byFilter.size === 0) this.#builtAtMs = nowMs;
      json = Buffer.from(JSON.stringify(this.#model.view(filter)));
      this.#byFilter.set(key, json);
    }
    return json;
  }

  /** Stops following the agent and drops the answers. */
  close(): void {
    for (const stop of this.#stops) stop();
    this.#byFilter.clear();
  }
}
