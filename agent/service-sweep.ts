/**
 * Idle eviction, run by the agent every tick: series without a sample for `limits.idleTime` are
 * removed (their windows freed), and a service is forgotten once it has been idle, at NONE, with
 * no override and nothing else holding it (a firing alert, a recent announcement), for that time.
 */
import type { DegradationManager } from './degradation/index.ts';
import type { ServiceId } from './service-id.ts';
import type { SeriesRegistry } from './window/index.ts';

/**
 * The latest time a service was active or had state someone must keep, ms since the epoch
 * (`nowMs` while it holds the service, `Infinity` to pin it, `-Infinity` for no claim).
 */
export type ServiceActivity = (id: ServiceId, nowMs: number) => number;

/** What one sweep removed. */
export interface SweepResult {
  /** Series removed. */
  readonly series: number;
  /** Services whose state is to be dropped, by their key in the managers' map. */
  readonly services: readonly string[];
}

/** Decides what is idle; the agent drops the services it names. */
export class ServiceSweep {
  readonly #sources = new Set<ServiceActivity>();
  readonly #lastBusyMs = new Map<string, number>();

  /** Adds a source of activity; returns the function that removes it. */
  addSource(source: ServiceActivity): () => void {
    this.#sources.add(source);
    return () => this.#sources.delete(source);
  }

  /**
   * Prunes idle series from `registry`, then names the services of `managers` (by `serviceKey`) idle for `idleMs`:
   * the newest of their series' samples, their last time off NONE or overridden (and the level's
   * entry time) and every source's answer are all at or before `nowMs - idleMs`.
   */
  sweep(
    registry: SeriesRegistry,
    managers: ReadonlyMap<string, DegradationManager>,
    nowMs: number,
    idleMs: number,
  ): SweepResult {
    const series = registry.prune(idleMs, nowMs);
    const cutoffMs = nowMs - idleMs;
    const services: string[] = [];
    for (const [key, manager] of managers) {
      const busyMs = this.#busyMs(key, manager, registry, nowMs);
      if (busyMs > cutoffMs) this.#lastBusyMs.set(key, busyMs);
      else {
        this.#lastBusyMs.delete(key);
        services.push(key);
      }
    }
    return { series, services };
  }

  #busyMs(key: string, manager: DegradationManager, registry: SeriesRegistry, nowMs: number): number {
    const state = manager.state();
    if (state.level !== 'NONE' || state.overridden) return nowMs;
    const { id } = manager;
    let busyMs = Math.max(this.#lastBusyMs.get(key) ?? -Infinity, state.since);
    busyMs = Math.max(busyMs, registry.newestRecordMs(id.service, id.namespace));
    for (const source of this.#sources) busyMs = Math.max(busyMs, source(id, nowMs));
    return busyMs;
  }
}
