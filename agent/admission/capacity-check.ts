/**
 * The ramp's check of lost capacity (review15e H1), one episode's state: a service whose capacity
 * fell under the same offered load (a noisy neighbour, CPU throttling, a cold cache, a heavier mix,
 * a restart onto a smaller instance that restored the big one's healthy rate) is over the target
 * at a load at or under its healthy rate (healthy-rate.ts), so the rate alone reads it as slow on
 * its own, and shedding is eased as `ineffective` while every protected request waits. Where the
 * ramp would stall at a load clearly under the healthy rate ({@link LOST_MARGIN}), or with no
 * healthy rate learned (review15f M2: every embedded instance started into an overload, behind a
 * bounded queue, was eased as `ineffective`), it rises one step delay more and asks the flow's one
 * rule (flow-evidence.ts capacityVerdict: did the finished rate hold under the shedding?) whether
 * the capacity was lost (the ramp keeps rising as over capacity for the rest of the episode) or
 * kept (slow on its own, or its load fell: the ramp stalls as before).
 */
import { CRITICALITIES, type Criticality } from './criticality.ts';
import { capacityVerdict } from './flow-evidence.ts';
import { type HealthyRate, underRate } from './healthy-rate.ts';

/** The load must be this fraction (10 %) under the healthy rate for a check (see the file's doc). */
const LOST_MARGIN = 0.1;

/** What a tick tells the check: the offered load against the healthy rate, and the shedding's inputs. */
export interface CapacitySample {
  /**
   * Whether the tick arms the check (see {@link capacitySample}): the load offered is clearly under
   * the healthy rate, or no healthy rate is learned (review15f M2).
   */
  readonly arms: boolean;
  /** Whether it arms with no healthy rate learned: the check then starts at once (see {@link capacityMove}). */
  readonly unknown: boolean;
  /** Operations finished a second over the window per class, in {@link CRITICALITIES} order. */
  readonly finished: readonly number[];
  /** The controller's rejection probability per class now, in {@link CRITICALITIES} order. */
  readonly shares: readonly number[];
  /** Whether the completions still lag a fall of the admissions (see {@link CapacityInputs.settling}). */
  readonly settling: boolean;
  /** How long the requests counted in flight have waited, ms (see {@link CapacityInputs.inFlightMs}). */
  readonly inFlightMs: number;
}

/** One episode's check. Times are ms since the epoch. */
export interface CapacityCheck {
  /** The first tick of the episode that armed the check (its load clearly under the healthy rate, or none learned). */
  readonly underMs: number;
  /** When the check began (the ramp would have stalled there), the finished operations and shares then. */
  readonly start?: {
    readonly atMs: number;
    readonly finished: readonly number[];
    readonly shares: readonly number[];
    /** How long the requests in flight then had waited, ms: the verdict waits for them (see {@link capacityMove}). */
    readonly inFlightMs?: number;
  };
  /** `lost`: the finished rate held under shedding; `kept`: it fell with it; absent while pending. */
  readonly verdict?: 'lost' | 'kept';
}

/** What a tick reads for the check. */
export interface CapacityInputs {
  readonly rate: HealthyRate | undefined;
  readonly windowMs: number;
  /** Operations finished over the window per class (the samples). */
  readonly finished: Readonly<Record<Criticality, number>>;
  /** The controller's rejection probability per class. */
  readonly shares: Readonly<Record<Criticality, number>>;
  /** Requests over the window per class (admitted and rejected here, or spans naming the class). */
  readonly requests: Readonly<Record<Criticality, number>> | undefined;
  /** Whether `admit()` runs here (the flow is known): then `requests` are the load offered. */
  readonly inProcess: boolean;
  /**
   * Where `admit()` runs here, whether fewer requests are admitted than finish over the window
   * (admission-flow.ts draining): the requests admitted before the shedding are still finishing, for
   * as long as the latency (review15e H2: with a latency over the step delay a service that keeps up
   * read as one that held its finished rate). `false` in collector mode.
   */
  readonly settling?: boolean;
  /**
   * Where `admit()` runs here, how long the requests counted in flight have waited, ms (Little's
   * law: flow-evidence.ts impliedMs); 0 in collector mode.
   */
  readonly inFlightMs?: number;
}

/**
 * The sample of a tick. The load offered is what the healthy rate compares with, shedding undone
 * (shedding lowers what is admitted and finished, not what arrives): where `admit()` runs here, the
 * requests offered to it; in collector mode, per class, the operations finished over the share let
 * in (what a service that keeps up would finish with nothing shed), or the class's requests
 * counted from spans, whichever is more (a class shed entirely finishes nothing).
 */
export function capacitySample(inputs: CapacityInputs): CapacitySample {
  const { finished, shares, requests } = inputs;
  const offered = CRITICALITIES.reduce((total, c) => {
    const counted = requests?.[c] ?? 0;
    if (inputs.inProcess) return total + counted;
    const kept = shares[c] < 1 ? finished[c] / (1 - shares[c]) : 0;
    return total + Math.max(counted, kept);
  }, 0);
  // No rate learned where `admit()` runs here (an embedded instance started into an overload:
  // review15f M2; a collector is `headroom agent`, whose durable state keeps the rate): the rate
  // cannot say saturated or slow, the finished rate under shedding still can.
  const unknown = inputs.inProcess && inputs.rate?.learned === undefined;
  return {
    arms: unknown || underRate(inputs.rate, offered, inputs.windowMs, LOST_MARGIN),
    unknown,
    // Per second: the window read may reach back further later in the check (window-reach.ts).
    finished: CRITICALITIES.map((c) => (finished[c] * 1000) / inputs.windowMs),
    shares: CRITICALITIES.map((c) => shares[c]),
    settling: inputs.settling === true,
    inFlightMs: inputs.inFlightMs ?? 0,
  };
}

/** The check's move this tick: whether the ramp rises for it, and the check after the tick. */
export interface CapacityMove {
  readonly rise: boolean;
  readonly check: CapacityCheck | undefined;
}

/**
 * The check of a ramp this tick (`stalling`: the ramp would stall, or has). The first tick whose
 * offered load is clearly under the healthy rate arms it; once armed, a ramp that would stall
 * starts it (rise), rises while it is pending for `delayMs` (a step delay: the shedding must show
 * in the window), then judges it (flow-evidence.ts capacityVerdict); an undecidable one (the shedding moved too little)
 * counts as `kept`. A `lost` verdict rises for the rest of the episode: the load offered comes
 * back to the healthy rate long before the admissions are under the capacity lost.
 */
export function capacityMove(
  check: CapacityCheck | undefined,
  sample: CapacitySample | undefined,
  timing: { readonly nowMs: number; readonly delayMs: number; readonly stalling: boolean },
): CapacityMove {
  const { nowMs, delayMs, stalling } = timing;
  const armed = check ?? arm(sample, nowMs);
  if (!stalling || sample === undefined || armed === undefined || armed.verdict === 'kept')
    return { rise: false, check: armed };
  if (armed.verdict === 'lost') return { rise: true, check: armed };
  const { start } = armed;
  if (start === undefined) {
    return { rise: true, check: { ...armed, start: started(sample, nowMs) } };
  }
  if (nowMs - start.atMs < delayMs) return { rise: true, check: armed };
  // The finished rate cannot show the shedding before the requests admitted ahead of it finish:
  // the verdict waits, without rising further, for as long as they had waited at the start
  // (Little's law); a FIFO draining more slowly than that drains at its capacity (review15f M2 at
  // 20 a second: held 93 s at 3.5-4.5x the budget while the flow drained 10 % under it).
  const waitMs = delayMs + (start.inFlightMs ?? Number.POSITIVE_INFINITY);
  if (sample.settling && nowMs - start.atMs < waitMs) return { rise: false, check: armed };
  const verdict = capacityVerdict(start, sample, sample.unknown);
  return { rise: verdict === 'lost', check: { ...armed, verdict } };
}

/**
 * The check a tick arms: none unless {@link CapacitySample.arms}. With no healthy rate (review15f
 * M2) it starts at once, at the ramp's second tick: the shedding the ramp raises until it would
 * stall is the test, so a service slow on its own pays no step delay more of rising (and one whose
 * shedding moved too little to judge, under a tenth of what finishes, is eased as before).
 */
function arm(sample: CapacitySample | undefined, nowMs: number): CapacityCheck | undefined {
  if (sample?.arms !== true) return undefined;
  if (!sample.unknown) return { underMs: nowMs };
  return { underMs: nowMs, start: started(sample, nowMs) };
}

/** A check's start at `nowMs`: what `sample` shows finished and shed, and how long the requests in flight waited. */
function started(sample: CapacitySample, nowMs: number): NonNullable<CapacityCheck['start']> {
  const { finished, shares, inFlightMs } = sample;
  return { atMs: nowMs, finished, shares, inFlightMs };
}
