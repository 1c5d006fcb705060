/**
 * One tick of the admission law: the protected classes' signal in, the next shed pressure out, with
 * the cause the decisions will carry. The anti-flap guards are the degradation manager's: minimum
 * samples before anything rises, a bounded step per tick, recovery only after a sustained
 * improvement (Google SRE "Addressing Cascading Failures": shed early, recover slowly).
 */
import {
  type AdmissionConfig,
  exitRatio,
  floorPressure,
  type LevelBounds,
  maxPressure,
  overloadStep,
  type Probabilities,
  round6,
} from './admission-law.ts';
import { overloadMessage, recoveryMessage } from './admission-messages.ts';
import type { ClassWindows } from './class-windows.ts';
import { CRITICALITIES, type Criticality } from './criticality.ts';
import type { AdmissionEvidence, AdmissionReason } from './types.ts';

/** Why probabilities are about to change: the reason, evidence and sentence of the decisions. */
export interface Cause {
  readonly reason: AdmissionReason;
  readonly evidence?: AdmissionEvidence;
  message(criticality: Criticality, from: number, to: number): string;
}

/** What the law reads. */
interface Law {
  readonly config: AdmissionConfig;
  readonly bounds: LevelBounds;
  readonly pressure: number;
  readonly windows: ClassWindows;
}

/** Where the tick stands. */
interface Moment {
  /** Since when the improvement has held; `undefined` when it does not. */
  readonly improvedSinceMs: number | undefined;
  readonly nowMs: number;
  /** The controller's own probabilities (before floors): a class at 0 is protected. */
  readonly shares: Probabilities;
}

/** The next pressure; `cause` is set when it differs from the current one. */
export interface Step {
  readonly pressure: number;
  readonly improvedSinceMs: number | undefined;
  readonly cause?: Cause;
}

type Signal = Omit<AdmissionEvidence, 'thresholdRatio'>;

/**
 * The worst protected class with `minSamples` in the window; when none has them, the most important
 * shed class that has (so a service whose only traffic is shed still steers on it instead of
 * swinging back); `undefined` when no class has enough samples.
 */
function signalOf(law: Law, shares: Probabilities): Signal | undefined {
  const { percentile, minSamples } = law.config;
  let worst: Signal | undefined;
  let fallback: Signal | undefined;
  for (const criticality of CRITICALITIES) {
    // The running count first: a class under minSamples costs no sketch merge (review15 F7).
    if (law.windows.count(criticality) < minSamples) continue;
    const read = law.windows.read(criticality, percentile);
    if (read === undefined) continue;
    const signal = { criticality, percentile, ratio: round6(read.ratio), samples: read.samples };
    if (shares[criticality] > 0) fallback ??= signal;
    else if (worst === undefined || signal.ratio > worst.ratio) worst = signal;
  }
  return worst ?? fallback;
}

/**
 * The law for one tick. Protected = CRITICAL_PLUS and every class the controller does not shed;
 * signal = see {@link signalOf}. Over `targetRatio`: the pressure rises by {@link overloadStep}
 * (from at least what the floors shed). Under the exit ratio, or no signal at all (too few samples
 * to justify shedding): after `recovery.sustain` it falls by `maxStep` per tick. Else it holds and
 * the improvement timer restarts. With no pressure and no signal nothing moves (low traffic).
 */
export function nextPressure(law: Law, moment: Moment): Step {
  const { config, bounds, pressure, windows } = law;
  const worst = signalOf(law, moment.shares);
  if (worst !== undefined && worst.ratio > config.targetRatio) {
    const evidence = Object.freeze({ ...worst, thresholdRatio: config.targetRatio });
    const from = Math.max(pressure, floorPressure(bounds));
    const next = round6(Math.min(maxPressure(bounds), from + overloadStep(worst.ratio, config)));
    const message = (c: Criticality, p0: number, p1: number) =>
      overloadMessage(c, p0, p1, evidence, windows.windowMs);
    return { pressure: next, improvedSinceMs: undefined, cause: { reason: 'overload', evidence, message } };
  }
  const exit = exitRatio(config);
  if (worst !== undefined && worst.ratio >= exit) return { pressure, improvedSinceMs: undefined };
  const improvedSinceMs = moment.improvedSinceMs ?? moment.nowMs;
  const heldMs = moment.nowMs - improvedSinceMs;
  if (pressure === 0 || heldMs < config.recovery.sustainMs) return { pressure, improvedSinceMs };
  const evidence = worst === undefined ? undefined : Object.freeze({ ...worst, thresholdRatio: exit });
  const message = (c: Criticality, p0: number, p1: number) =>
    recoveryMessage(c, p0, p1, evidence, {
      heldMs,
      windowMs: windows.windowMs,
      minSamples: config.minSamples,
    });
  const next = round6(Math.max(0, pressure - config.maxStep));
  const cause: Cause = { reason: 'recovery', message, ...(evidence === undefined ? {} : { evidence }) };
  return { pressure: next, improvedSinceMs, cause };
}
