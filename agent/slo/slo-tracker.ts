/**
 * SLOs computed by the agent: per (SLO, service), the good and total events of the SLO's series,
 * sampled every tick into a bounded history, from which error ratios, burn rates, the error
 * budget left and the time to exhaustion follow for any window.
 */
import { diag } from '@opentelemetry/api';
import type { ResolvedConfig } from '../../config/index.ts';
import { SeriesTargets } from '../budget/series-targets.ts';
import type { SeriesKey } from '../budget/types.ts';
import type { Clock } from '../clock.ts';
import { entriesOf, isFiniteNumber, type RestoreResult } from '../durable-state.ts';
import { type ServiceId, serviceId, serviceKey } from '../service-id.ts';
import { CumulativeHistory, defaultTiers } from './cumulative-history.ts';
import type { SampleTier } from './sample-ring.ts';
import { SeriesDeltas } from './series-deltas.ts';
import { burnRate, errorRatio } from './slo-math.ts';
import { sloStatus } from './slo-status.ts';
import {
  exportEntry,
  restoreEntry,
  SLO_STATE_VERSION,
  type SloState,
  type SloTrackerState,
} from './slo-tracker-state.ts';
import type { SloEvents, SloSeries, SloStatus } from './types.ts';

type SloConfig = ResolvedConfig['slos'][number];

export interface SloTrackerOptions {
  readonly config: ResolvedConfig;
  /** Read when `observe()` is given no time. */
  readonly clock: Clock;
  /** Base budget of a series, ms; `undefined` leaves it out. @default the configured one (`SeriesTargets`) */
  readonly baseBudgetMs?: (series: SeriesKey) => number | undefined;
  /** The sample rings of a history for an SLO window (ms). @default defaultTiers */
  readonly tiers?: (windowMs: number) => readonly SampleTier[];
}

/** A service as the tracker's lookups take it: its identity, or a name in the empty namespace. */
export type SloService = ServiceId | string;

function idOf(service: SloService): ServiceId {
  return typeof service === 'string' ? serviceId('', service) : service;
}

/**
 * Tracks every configured SLO per service. Memory per (SLO, service): one history of at most
 * 1,518 samples of 24 bytes (~36 KB) whatever the SLO window (870 for windows up to 3 d), plus a
 * few numbers per matching series; a history idle for longer than it reaches is dropped.
 * @example
 * const slos = new SloTracker({ config, clock });
 * agent.onTick(({ at }) => slos.observe(agent.registry.list(), at));
 * slos.status('checkout-latency', { namespace: 'payments', service: 'checkout' })?.burnRates['1h'];
 */
export class SloTracker {
  readonly #clock: Clock;
  readonly #tiers: (windowMs: number) => readonly SampleTier[];
  readonly #customBudget: ((series: SeriesKey) => number | undefined) | undefined;
  #slos: readonly SloConfig[] = [];
  #targets!: SeriesTargets;
  #matches = new WeakMap<SloSeries, readonly SloConfig[]>();
  /** SLO name -> service (by `serviceKey`) -> state. */
  #states = new Map<string, Map<string, SloState>>();
  readonly #deltas = new SeriesDeltas();
  #lastMs = -Infinity;

  constructor(options: SloTrackerOptions) {
    this.#clock = options.clock;
    this.#tiers = options.tiers ?? defaultTiers;
    this.#customBudget = options.baseBudgetMs;
    this.reconfigure(options.config);
  }

  /**
   * Applies a new configuration: an SLO keeps its history when its context, operation and window
   * are unchanged (a new objective applies to the history kept); others start afresh.
   */
  reconfigure(config: ResolvedConfig): void {
    const previous = new Map(this.#slos.map((slo) => [slo.name, slo]));
    const states = new Map<string, Map<string, SloState>>();
    for (const slo of config.slos) {
      const before = previous.get(slo.name);
      const kept = before !== undefined && sameScope(before, slo) ? this.#states.get(slo.name) : undefined;
      states.set(slo.name, rebind(kept, slo));
    }
    this.#slos = config.slos;
    this.#states = states;
    this.#targets = new SeriesTargets(config);
    this.#matches = new WeakMap();
  }

  /**
   * Adds what the series gained since the previous call and samples every history at `nowMs`;
   * call it every tick with every series. A series seen for the first time counts from zero
   * (its totals count from its creation), the first call included; only a series seen earlier
   * without matching any SLO (before a reload added one) starts from now. Never throws.
   */
  observe(series: Iterable<SloSeries>, nowMs: number = this.#clock.now()): void {
    if (!Number.isFinite(nowMs)) {
      diag.warn(`headroom: SLO observation skipped, time ${nowMs} is not finite`);
      return;
    }
    try {
      const atMs = Math.max(nowMs, this.#lastMs);
      for (const one of series) this.#add(one, atMs);
      this.#sample(atMs);
      this.#lastMs = atMs;
    } catch (error) {
      diag.error('headroom: SLO observation failed', error);
    }
  }

  /** The status of an SLO for a service; `undefined` before the service's first matching series. */
  status(slo: string, service: SloService): SloStatus | undefined {
    const state = this.#find(slo, service);
    return state === undefined ? undefined : sloStatus(state.slo, state.id, state.history);
  }

  /** Every (SLO, service) tracked, SLOs in config order, services in order of first sighting. */
  list(): SloStatus[] {
    const all: SloStatus[] = [];
    for (const byService of this.#states.values()) {
      for (const state of byService.values()) all.push(sloStatus(state.slo, state.id, state.history));
    }
    return all;
  }

  /**
   * The cumulative event counters of every (SLO, service) tracked, in the order of {@link list}:
   * what `headroom_slo_events_total` exports, so that rules reading them see the agent's SLI.
   */
  events(): SloEvents[] {
    const all: SloEvents[] = [];
    for (const byService of this.#states.values()) {
      for (const { slo, id, good, total, startMs } of byService.values()) {
        all.push({ slo: slo.name, namespace: id.namespace, service: id.service, good, total, startMs });
      }
    }
    return all;
  }

  /**
   * The state to restore after a restart, as JSON-able plain data: per (SLO, service), the
   * cumulative events and the whole history (about 36 KB of samples at most each).
   */
  exportState(): SloTrackerState {
    const entries = [...this.#states.values()].flatMap((byService) =>
      [...byService.values()].map(exportEntry),
    );
    const lastMs = Number.isFinite(this.#lastMs) ? this.#lastMs : null;
    return { version: SLO_STATE_VERSION, lastMs, entries };
  }

  /**
   * Takes back what {@link exportState} returned (call before the first observation): budgets and
   * burn rates go on from it. Never throws: a malformed entry, or one of an SLO removed or whose
   * scope or window changed, is dropped and counted; so is every entry of another version.
   * Series seen afterwards count from zero, as new series do (their totals restarted too).
   */
  restoreState(state: unknown): RestoreResult {
    const entries = entriesOf(state, SLO_STATE_VERSION);
    if (entries === undefined) return { restored: 0, dropped: 1 };
    let restored = 0;
    for (const exported of entries) {
      const one = restoreEntry(exported, this.#slos, (slo, id, startMs) => this.#newState(slo, id, startMs));
      if (one === undefined) continue;
      this.#states.get(one.slo.name)?.set(serviceKey(one.id), one);
      restored++;
    }
    const lastMs = (state as { lastMs?: unknown }).lastMs;
    if (isFiniteNumber(lastMs)) this.#lastMs = Math.max(this.#lastMs, lastMs);
    return { restored, dropped: entries.length - restored };
  }

  /** Drops the history of every SLO for `service` (the agent evicted it). */
  forgetService(service: SloService): void {
    const key = serviceKey(idOf(service));
    for (const byService of this.#states.values()) byService.delete(key);
  }

  /** Bad / total events over the last `windowMs` (ms); `undefined` for an unknown (SLO, service). */
  errorRatio(slo: string, service: SloService, windowMs: number): number | undefined {
    const state = this.#find(slo, service);
    return state === undefined ? undefined : errorRatio(state.history.increase(windowMs));
  }

  /** Burn rate over the last `windowMs` (ms); `undefined` for an unknown (SLO, service). */
  burnRate(slo: string, service: SloService, windowMs: number): number | undefined {
    const state = this.#find(slo, service);
    return state === undefined ? undefined : burnRate(state.history.increase(windowMs), state.slo.objective);
  }

  #find(slo: string, service: SloService): SloState | undefined {
    return this.#states.get(slo)?.get(serviceKey(idOf(service)));
  }

  #add(series: SloSeries, atMs: number): void {
    if (series.phase !== '') return;
    const slos = this.#matching(series);
    const budgetMs =
      slos.length === 0
        ? undefined
        : (this.#customBudget?.(series) ?? this.#targets.of(series)?.baseBudgetMs);
    if (budgetMs === undefined) {
      this.#deltas.skip(series.totals);
      return;
    }
    const states = slos.map((slo) => this.#state(slo, series, atMs));
    const delta = this.#deltas.delta(series.totals, budgetMs);
    if (delta === undefined) return;
    for (const state of states) {
      state.good += delta.good;
      state.total += delta.total;
    }
  }

  #sample(atMs: number): void {
    for (const byService of this.#states.values()) {
      for (const [key, state] of byService) {
        state.history.push(atMs, { good: state.good, total: state.total });
        if (atMs - state.history.changedMs > state.reachMs) byService.delete(key);
      }
    }
  }

  #state(slo: SloConfig, series: ServiceId, atMs: number): SloState {
    const byService = this.#states.get(slo.name) as Map<string, SloState>;
    const key = serviceKey(series);
    let state = byService.get(key);
    if (state === undefined) {
      state = this.#newState(slo, serviceId(series.namespace, series.service), atMs);
      // Starts from zero at the previous observation (at this one for the first), so what this
      // one adds shows as an increase.
      const originMs = Number.isFinite(this.#lastMs) ? Math.min(this.#lastMs, atMs) : atMs;
      state.history.push(originMs, { good: 0, total: 0 });
      byService.set(key, state);
    }
    return state;
  }

  #newState(slo: SloConfig, id: ServiceId, startMs: number): SloState {
    const tiers = this.#tiers(slo.windowMs);
    const reachMs = Math.max(slo.windowMs, ...tiers.map((tier) => tier.spanMs));
    return { slo, id, history: new CumulativeHistory(tiers), reachMs, good: 0, total: 0, startMs };
  }

  #matching(series: SloSeries): readonly SloConfig[] {
    let slos = this.#matches.get(series);
    if (slos === undefined) {
      slos = this.#slos.filter(
        (slo) =>
          (slo.namespace === undefined || slo.namespace === series.namespace) &&
          (slo.context === undefined || slo.context === series.context) &&
          (slo.operation === undefined || slo.operation === series.operation),
      );
      this.#matches.set(series, slos);
    }
    return slos;
  }
}

function sameScope(a: SloConfig, b: SloConfig): boolean {
  return (
    a.namespace === b.namespace &&
    a.context === b.context &&
    a.operation === b.operation &&
    a.windowMs === b.windowMs
  );
}

/** The kept states, pointing at the new SLO definition (its objective may have changed). */
function rebind(kept: Map<string, SloState> | undefined, slo: SloConfig): Map<string, SloState> {
  const states = new Map<string, SloState>();
  for (const [key, state] of kept ?? []) states.set(key, { ...state, slo });
  return states;
}
