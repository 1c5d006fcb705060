/** The inputs and output of one tick of the admission law (admission-step.ts), shared by its parts. */
import type { Easing, EasingTiming } from './admission-easing.ts';
import type { Flow } from './admission-flow.ts';
import type { AdmissionConfig, LevelBounds, Probabilities } from './admission-law.ts';
import type { Ramp } from './admission-ramp.ts';
import type { SignalReader } from './admission-signal.ts';
import type { Reading } from './admission-trend.ts';
import type { OfferedLoad } from './class-requests.ts';
import type { ClassWindows } from './class-windows.ts';
import type { Criticality } from './criticality.ts';
import type { HealthyRate } from './healthy-rate.ts';
import type { AdmissionEvidence, AdmissionReason } from './types.ts';

/** Why probabilities are about to change: the reason, evidence and sentence of the decisions. */
export interface Cause {
  readonly reason: AdmissionReason;
  readonly evidence?: AdmissionEvidence;
  message(criticality: Criticality, from: number, to: number): string;
}

/** What the law reads. */
export interface Law {
  readonly config: AdmissionConfig;
  readonly bounds: LevelBounds;
  readonly pressure: number;
  readonly windows: ClassWindows;
}

/** Where the tick stands. */
export interface Moment {
  /** Since when the improvement has held; `undefined` when it does not. */
  readonly improvedSinceMs: number | undefined;
  /** The overload episode in progress, if any (anti-windup). */
  readonly ramp: Ramp | undefined;
  /** The easing in progress, if any (steps watched, step back, wait). */
  readonly easing: Easing | undefined;
  /**
   * Requests admitted by this process's `admit()` and operations finished over the window;
   * `undefined` when nothing was admitted here (unknown: collector mode).
   */
  readonly flow: Flow | undefined;
  /** Requests offered to this process's `admit()` over the window per class; `undefined` in collector mode. */
  readonly offered?: OfferedLoad | undefined;
  /** The judging ratios of the last step delay (see admission-trend.ts). */
  readonly readings: readonly Reading[] | undefined;
  /** The rate learned within budget (see healthy-rate.ts); `undefined` until a tick is judged. */
  readonly rate?: HealthyRate | undefined;
  readonly nowMs: number;
  /** ms since the previous tick: a step shows in the signal one window plus a tick later. */
  readonly tickMs: number;
  /** The controller's own probabilities (before floors). */
  readonly shares: Probabilities;
}

/** The next pressure; `cause` is set when it differs from the current one. */
export interface Step {
  readonly pressure: number;
  readonly improvedSinceMs: number | undefined;
  readonly ramp: Ramp | undefined;
  readonly easing: Easing | undefined;
  /** The judging ratios to keep for the next tick. */
  readonly readings?: readonly Reading[];
  /** The healthy rate with this tick learned (see healthy-rate.ts). */
  readonly rate?: HealthyRate;
  readonly cause?: Cause;
}

/** One tick's reading: the law, the moment, the signals, the clock. */
export interface Tick {
  readonly law: Law;
  readonly moment: Moment;
  readonly reader: SignalReader;
  readonly timing: EasingTiming;
  /** Admissions against completions over the window; `undefined` when admissions are unknown. */
  readonly flow: Flow | undefined;
}
