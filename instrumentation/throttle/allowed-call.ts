/**
 * One call `attempt()` let through, carrying its own report: the outcome is counted in the class
 * and the throttle of the attempt, wherever the report runs (a callback that lost the attempt's
 * context counts where the attempt did).
 */
import type { Criticality } from '../../agent/index.ts';
import type { ThrottleAllowed } from './types.ts';

/** Counts one outcome of a call of `criticality`. */
export type CountOutcome = (criticality: Criticality, accepted: boolean) => void;

/** The {@link ThrottleAllowed} `attempt()` answers; frozen. */
export class AllowedCall implements ThrottleAllowed {
  readonly throttled = false as const;
  readonly target: string;
  readonly criticality: Criticality;
  readonly probability: number;
  readonly #count: CountOutcome;
  #recorded = false;

  constructor(target: string, criticality: Criticality, probability: number, count: CountOutcome) {
    this.target = target;
    this.criticality = criticality;
    this.probability = probability;
    this.#count = count;
    Object.freeze(this);
  }

  /** Counts the backend's answer in this call's class; the first report only. Never throws. */
  record(accepted: boolean): void {
    if (this.#recorded) return;
    this.#recorded = true;
    this.#count(this.criticality, accepted === true);
  }
}
