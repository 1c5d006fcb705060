/**
 * The healthy rate (review15d H2/H3/M3): the requests a second the service handled within budget
 * with nothing shed, learned so the anti-windup (admission-ramp.ts) can tell a service slow on its
 * own from one over its capacity. The latency alone cannot: a bounded queue, a p95 capped by a
 * timeout and a FIFO draining behind an overload at the caps all show no fall of the signal while
 * shedding rises, exactly as a slow dependency does. The rate can: a service over budget while it
 * admits (where `admit()` runs here) or finishes (collector mode: the operations of the classes not
 * shed away) clearly more than it did within budget is over capacity, and shedding is what brings
 * that load back; one over budget at or under that rate is slow for another reason, or has lost
 * capacity since the rate was learned (capacity-check.ts tells which, review15e H1). The gradient
 * limiters judge the same way (Netflix concurrency-limits' Vegas and Gradient2 set the limit from
 * the throughput and latency seen while healthy, not from latency alone).
 *
 * Learning: a tick counts as healthy when nothing is shed (no pressure, no level floor) and the
 * classes judging the most important class are within `targetRatio` with `minSamples`. Its rate
 * (the load over the window, per second) is taken only once the healthy streak has lasted a whole
 * window (a window that began unhealthy, or before a restart, is not all healthy), and kept only
 * if the streak goes on for {@link CONFIRM_DELAYS} step delays more: a queue's latency shows an
 * onset only once requests have waited, so the first seconds of an overload read healthy at the
 * overload's rate. Confirmed rates move an exponential average whose time constant is
 * {@link TAU_MS}: a daily climb is tracked within a minute, a burst of a few seconds barely moves
 * it, and after a gap longer than the time constant (a night under `minSamples`, an overload, a
 * restart) the next confirmed rate replaces the old one. A low-traffic night does leave its own
 * rate: an overload that comes straight after it, at daytime load, reads as over capacity (the
 * bound is the rate itself: shedding stops once the load is back at it; README "How the admission
 * controller decides", step 3).
 */

/** Confirmed healthy rates weigh in with this time constant: one minute. */
const TAU_MS = 60_000;

/** A healthy tick's rate is kept once the service has stayed healthy this many step delays more. */
const CONFIRM_DELAYS = 2;

/** The durable copy moves only when the rate moves by this fraction (10 %): checkpoints rewrite rarely. */
const SAVE_MARGIN = 0.1;

/**
 * A load any fraction over the healthy rate is over capacity: no margin (review15e L1). The rate is
 * an average over a minute of healthy windows, so a load that merely fluctuates around it is over
 * half the time; a margin of 5 % behaved the same in the noise tests (load +-15 %, a class slow on
 * its own: SHEDDABLE to 40 %, eased to nothing either way), and the ramp's stall test, not this
 * margin, is what ends a wind-up the noise starts.
 */
const RATE_MARGIN = 0;

/** One confirmed rate: requests a second, and when. Times are ms since the epoch. */
export interface RateMark {
  readonly perSecond: number;
  readonly atMs: number;
}

/** What has been learned, as plain data. */
export interface HealthyRate {
  /** The exponential average of the confirmed rates; absent until one is confirmed. */
  readonly learned?: RateMark;
  /** The copy a checkpoint keeps: the learned rate when it last moved by {@link SAVE_MARGIN}. */
  readonly saved?: RateMark;
  /** Since when the ticks have been healthy; absent on an unhealthy tick. */
  readonly healthySinceMs?: number;
  /** Healthy ticks' rates waiting for their confirmation, oldest first. */
  readonly pending: readonly RateMark[];
}

/** The tick the rate learns from. */
export interface RateTick {
  readonly nowMs: number;
  /** Requests admitted here, else operations finished, over the window. */
  readonly load: number;
  readonly windowMs: number;
  /** `admission.window` plus a tick. */
  readonly delayMs: number;
  /** Nothing shed and the judging classes within the target (see the file's doc). */
  readonly healthy: boolean;
}

/** The state after one tick. */
export function learnRate(rate: HealthyRate | undefined, tick: RateTick): HealthyRate {
  const { nowMs, healthy } = tick;
  const kept = { ...(rate?.learned === undefined ? {} : { learned: rate.learned }) };
  const saved = rate?.saved === undefined ? {} : { saved: rate.saved };
  if (!healthy) return { ...kept, ...saved, pending: [] };
  const healthySinceMs = rate?.healthySinceMs ?? nowMs;
  const whole = nowMs - healthySinceMs >= tick.windowMs;
  const reading = { perSecond: (tick.load * 1000) / tick.windowMs, atMs: nowMs };
  const pending = [...(rate?.pending ?? []), ...(whole ? [reading] : [])];
  const due = pending.filter((mark) => nowMs - mark.atMs >= CONFIRM_DELAYS * tick.delayMs);
  const learned = due.reduce<RateMark | undefined>(average, rate?.learned);
  return {
    ...(learned === undefined ? {} : { learned }),
    ...savedCopy(rate?.saved, learned),
    healthySinceMs,
    pending: pending.slice(due.length),
  };
}

function average(learned: RateMark | undefined, mark: RateMark): RateMark {
  if (learned === undefined) return mark;
  const weight = Math.min(1, Math.max(0, mark.atMs - learned.atMs) / TAU_MS);
  return { perSecond: learned.perSecond + weight * (mark.perSecond - learned.perSecond), atMs: mark.atMs };
}

function savedCopy(saved: RateMark | undefined, learned: RateMark | undefined) {
  if (learned === undefined) return saved === undefined ? {} : { saved };
  const moved =
    saved === undefined || Math.abs(learned.perSecond - saved.perSecond) > saved.perSecond * SAVE_MARGIN;
  const perSecond = Math.round(learned.perSecond * 1000) / 1000;
  return { saved: moved ? { perSecond, atMs: learned.atMs } : saved };
}

/** `rate` over new windows (a reload changed `window`): what was learned stays, the streak restarts. */
export function restartedRate(rate: HealthyRate | undefined): HealthyRate | undefined {
  if (rate === undefined) return undefined;
  const { learned, saved } = rate;
  return {
    ...(learned === undefined ? {} : { learned }),
    ...(saved === undefined ? {} : { saved }),
    pending: [],
  };
}

/** A rate restored from a checkpoint: learned as it was saved, nothing pending. */
export function restoredRate(saved: RateMark | undefined, nowMs: number): HealthyRate | undefined {
  if (saved === undefined) return undefined;
  const mark = { perSecond: saved.perSecond, atMs: Math.min(saved.atMs, nowMs) };
  return { learned: mark, saved: mark, pending: [] };
}

/**
 * Whether `load` (over `windowMs`) is over capacity: over the healthy rate per second (no margin:
 * {@link RATE_MARGIN}). `undefined` while none is learned: the latency alone decides then.
 */
export function overCapacity(
  rate: HealthyRate | undefined,
  load: number,
  windowMs: number,
): boolean | undefined {
  const learned = rate?.learned;
  if (learned === undefined) return undefined;
  return (load * 1000) / windowMs > learned.perSecond * (1 + RATE_MARGIN);
}

/**
 * Whether `load` (over `windowMs`) is clearly under the healthy rate: under it per second by
 * `margin` of it (capacity-check.ts: a service over the target there may have lost capacity).
 * `false` while none is learned.
 */
export function underRate(
  rate: HealthyRate | undefined,
  load: number,
  windowMs: number,
  margin: number,
): boolean {
  const learned = rate?.learned;
  return learned !== undefined && (load * 1000) / windowMs < learned.perSecond * (1 - margin);
}
