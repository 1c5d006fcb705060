/**
 * Who may justify shedding, and where the next increase lands (review15 F1). Shedding a class only
 * helps the classes more important than it (rejecting a slow report does not make the remaining
 * reports faster), so the classes that judge a step are those MORE important than the class the
 * step would shed, read one by one and pooled (see {@link SignalReader.judging}); a class judges
 * itself only when they have too few samples to judge (a service whose traffic is all CRITICAL must
 * still shed CRITICAL under overload). Google SRE
 * "Handling Overload": the lowest criticality is shed first, to keep the higher ones served.
 */

import type { AdmissionConfig } from './admission-law.ts';
import { FILL_ORDER, type LevelBounds, round6, type SheddableCriticality } from './admission-law.ts';
import type { ClassWindows } from './class-windows.ts';
import { CRITICALITIES, type Criticality, criticalityRank } from './criticality.ts';
import type { LatencyEvidence } from './types.ts';

/** A class's percentile ratio with its sample count: the evidence of a decision, without its threshold. */
export type Signal = Omit<LatencyEvidence, 'thresholdRatio'>;

/** The class the next increase would shed, and the pressure the increase starts from. */
export interface Frontier {
  readonly criticality: SheddableCriticality;
  /** The current pressure, raised past what the floors already shed and past empty classes. */
  readonly from: number;
  /** The pressure at which the class reaches its cap: an increase stops there (the next class waits). */
  readonly top: number;
}

/**
 * The frontier: the least important class, in fill order, still under its cap at `pressure`
 * (at least the floors' pressure). A class under its cap that is not in use (no sample in the
 * window and no request over it: {@link ClassWindows.inUse}) is skipped on the way up (the increase
 * starts at its cap): a service whose traffic is all CRITICAL does not climb through the empty
 * SHEDDABLE and SHEDDABLE_PLUS shares before shedding anything. A class with requests but no
 * sample (admitted, never judged: review16 M3) is in use: it is shed step by step like any other,
 * not passed at once. The order guarantee holds, as the pressure still fills from the bottom: the
 * skipped classes are at their caps, so a SHEDDABLE request arriving later is shed before any
 * CRITICAL one. `undefined` when every class is at its cap or not in use (nothing to shed would help).
 */
export function frontierOf(pressure: number, floors: number, bounds: LevelBounds, windows: ClassWindows) {
  let from = Math.max(pressure, floors);
  let top = 0;
  for (const criticality of FILL_ORDER) {
    top = round6(top + bounds.caps[criticality]);
    if (from >= top) continue;
    if (windows.inUse(criticality)) return { criticality, from, top } satisfies Frontier;
    from = top;
  }
  return undefined;
}

/** The most important class the pressure sheds (what easing releases first); SHEDDABLE at pressure 0. */
export function topShed(shares: Readonly<Record<Criticality, number>>): SheddableCriticality {
  return FILL_ORDER.findLast((criticality) => shares[criticality] > 0) ?? 'SHEDDABLE';
}

/** Samples per class in the window, for messages that say why nothing could be judged. */
export type SampleCounts = Readonly<Record<Criticality, number>>;

/** Reads each class's percentile at most once per tick, and only for a class with `minSamples`. */
export class SignalReader {
  readonly #config: AdmissionConfig;
  readonly #windows: ClassWindows;
  readonly #signals = new Map<Criticality, Signal | undefined>();
  /** {@link judging}'s answer per class shed: the rise and the recovery of one tick ask the same (review16 L2). */
  readonly #judges = new Map<SheddableCriticality, Signal | undefined>();

  constructor(config: AdmissionConfig, windows: ClassWindows) {
    this.#config = config;
    this.#windows = windows;
  }

  /** The class's signal; `undefined` under `minSamples` (no decision from too few samples). */
  of(criticality: Criticality): Signal | undefined {
    if (this.#signals.has(criticality)) return this.#signals.get(criticality);
    const { percentile, minSamples } = this.#config;
    const samples = this.#windows.count(criticality);
    const read = samples < minSamples ? undefined : this.#windows.read(criticality, percentile);
    const signal =
      read === undefined ? undefined : { criticality, percentile, ratio: round6(read.ratio), samples };
    this.#signals.set(criticality, signal);
    return signal;
  }

  /**
   * The signal that judges shedding `shed` (review15b N1/N3): the worst of the classes more
   * important than `shed` with `minSamples` each, and of those classes' samples read together (a
   * pool: 9 CRITICAL_PLUS and 18 CRITICAL samples judge where neither could alone); when even the
   * pool is under `minSamples`, or none of them has traffic, `shed`'s own signal (a service whose
   * traffic is all CRITICAL, plus a health check of CRITICAL_PLUS, still sheds CRITICAL; shedding
   * a class that slows only itself is caught by the ramp: it does not help, so it eases).
   */
  judging(shed: SheddableCriticality): Signal | undefined {
    if (this.#judges.has(shed)) return this.#judges.get(shed);
    const judge = this.#judging(shed);
    this.#judges.set(shed, judge);
    return judge;
  }

  #judging(shed: SheddableCriticality): Signal | undefined {
    let worst: Signal | undefined;
    const members: Criticality[] = [];
    for (const criticality of CRITICALITIES) {
      if (criticalityRank(criticality) <= criticalityRank(shed)) continue;
      if (this.#windows.count(criticality) === 0) continue;
      members.push(criticality);
      const signal = this.of(criticality);
      if (signal !== undefined && (worst === undefined || signal.ratio > worst.ratio)) worst = signal;
    }
    const pool = members.length > 1 ? this.#pool(shed, members) : undefined;
    const judge = pool !== undefined && (worst === undefined || pool.ratio > worst.ratio) ? pool : worst;
    return judge ?? this.of(shed);
  }

  /** The members' samples read together; `undefined` under `minSamples`. */
  #pool(shed: SheddableCriticality, members: readonly Criticality[]): Signal | undefined {
    const { percentile, minSamples } = this.#config;
    const pooled = Object.fromEntries(members.map((c) => [c, this.#windows.count(c)]));
    const samples = members.reduce((sum, c) => sum + (pooled[c] ?? 0), 0);
    const read = samples < minSamples ? undefined : this.#windows.readPool(shed, percentile);
    if (read === undefined) return undefined;
    const [criticality] = members as [Criticality];
    return { criticality, percentile, ratio: round6(read.ratio), samples, pooled: Object.freeze(pooled) };
  }

  /**
   * Whether a class the pressure sheds (`shares` > 0) has `minSamples` over `targetRatio` on its
   * own: then too few samples of the classes above it is "unknown", not health (review15b N1).
   */
  shedOverTarget(shares: Readonly<Record<Criticality, number>>): boolean {
    return FILL_ORDER.some((c) => shares[c] > 0 && (this.of(c)?.ratio ?? 0) > this.#config.targetRatio);
  }

  /** Samples of every class in the window: the operations finished over it. */
  completions(): number {
    return CRITICALITIES.reduce((sum, c) => sum + this.#windows.count(c), 0);
  }

  /** Samples per class in the window. */
  counts(): SampleCounts {
    const counts = { CRITICAL_PLUS: 0, CRITICAL: 0, SHEDDABLE_PLUS: 0, SHEDDABLE: 0 };
    for (const criticality of CRITICALITIES) counts[criticality] = this.#windows.count(criticality);
    return counts;
  }
}
