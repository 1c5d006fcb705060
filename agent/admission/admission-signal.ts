/**
 * Who may justify shedding, and where the next increase lands (review15 F1). Shedding a class only
 * helps the classes more important than it (rejecting a slow report does not make the remaining
 * reports faster), so the classes that judge a step are those MORE important than the class the
 * step would shed; a class judges itself only when no more important class has any traffic at all
 * (a service whose traffic is all CRITICAL must still shed CRITICAL under overload). Google SRE
 * "Handling Overload": the lowest criticality is shed first, to keep the higher ones served.
 */

import type { AdmissionConfig } from './admission-law.ts';
import { FILL_ORDER, type LevelBounds, round6, type SheddableCriticality } from './admission-law.ts';
import type { ClassWindows } from './class-windows.ts';
import { CRITICALITIES, type Criticality, criticalityRank } from './criticality.ts';
import type { AdmissionEvidence } from './types.ts';

/** A class's percentile ratio with its sample count: the evidence of a decision, without its threshold. */
export type Signal = Omit<AdmissionEvidence, 'thresholdRatio'>;

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
 * (at least the floors' pressure). A class under its cap with no sample in the window is skipped
 * on the way up (the increase starts at its cap): a service whose traffic is all CRITICAL does not
 * climb through the empty SHEDDABLE and SHEDDABLE_PLUS shares before shedding anything. The order
 * guarantee holds, as the pressure still fills from the bottom: the skipped classes are at their
 * caps, so a SHEDDABLE request arriving later is shed before any CRITICAL one. `undefined` when
 * every class is at its cap or has no traffic (nothing to shed would help).
 */
export function frontierOf(pressure: number, floors: number, bounds: LevelBounds, windows: ClassWindows) {
  let from = Math.max(pressure, floors);
  let top = 0;
  for (const criticality of FILL_ORDER) {
    top = round6(top + bounds.caps[criticality]);
    if (from >= top) continue;
    if (windows.count(criticality) > 0) return { criticality, from, top } satisfies Frontier;
    from = top;
  }
  return undefined;
}

/** The most important class the pressure sheds (what easing releases first); SHEDDABLE at pressure 0. */
export function topShed(shares: Readonly<Record<Criticality, number>>): SheddableCriticality {
  return FILL_ORDER.findLast((criticality) => shares[criticality] > 0) ?? 'SHEDDABLE';
}

/** Reads each class's percentile at most once per tick, and only for a class with `minSamples`. */
export class SignalReader {
  readonly #config: AdmissionConfig;
  readonly #windows: ClassWindows;
  readonly #signals = new Map<Criticality, Signal | undefined>();

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
   * The signal that judges shedding `shed`: the worst class more important than `shed` with
   * `minSamples`; when some of those classes have traffic but none has `minSamples`, none (hold:
   * too few samples); when none has any traffic, `shed`'s own signal.
   */
  judging(shed: Criticality): Signal | undefined {
    let worst: Signal | undefined;
    let traffic = false;
    for (const criticality of CRITICALITIES) {
      if (criticalityRank(criticality) <= criticalityRank(shed)) continue;
      if (this.#windows.count(criticality) === 0) continue;
      traffic = true;
      const signal = this.of(criticality);
      if (signal !== undefined && (worst === undefined || signal.ratio > worst.ratio)) worst = signal;
    }
    return traffic ? worst : this.of(shed);
  }
}
