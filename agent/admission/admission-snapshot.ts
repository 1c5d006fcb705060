/**
 * An admission controller's state as JSON-able plain data, for checkpoints: the shed pressure, the
 * level it was computed at, the recovery timer, the overload episode's ramp (anti-windup), the
 * easing in progress (its back-off: review ease4 M2), the healthy rate (review15d H2), the decision
 * sequence and the audit log. The ratio
 * windows are left out (a few seconds, stale after a restart: the controller reads fresh ones) and
 * so are the admitted/rejected counters (counters restart with the process, as Prometheus expects).
 * Versioned and validated on the way back in.
 */
import { type DegradationLevel, isDegradationLevel } from '../degradation/levels.ts';
import type { EaseStep, Easing } from './admission-easing.ts';
import { FILL_ORDER } from './admission-law.ts';
import type { Ramp } from './admission-ramp.ts';
import type { CapacityCheck } from './capacity-check.ts';
import { isCriticality } from './criticality.ts';
import type { RateMark } from './healthy-rate.ts';
import { ADMISSION_REASONS, type AdmissionDecision } from './types.ts';

/** Version of {@link AdmissionSnapshot}; a snapshot of another version is refused. */
const SNAPSHOT_VERSION = 1;

/** One controller's state. Times are ms since the epoch. */
export interface AdmissionSnapshot {
  readonly version: number;
  readonly namespace: string;
  readonly service: string;
  /** The degradation level the probabilities were last computed at. */
  readonly level: DegradationLevel;
  /** The shed pressure (0 up to the sum of the caps). */
  readonly pressure: number;
  /** Since when the improvement has held (`recovery.sustain` progress); absent when it has not. */
  readonly improvedSinceMs?: number;
  /**
   * The overload episode in progress (admission-ramp.ts); absent when none. Optional and read
   * leniently: a snapshot without it (an older one) or with one this version cannot read restores
   * everything else, with no ramp (the next overload starts a fresh one).
   */
  readonly ramp?: Ramp;
  /**
   * The easing in progress (admission-easing.ts): its steps in flight, step back and back-off; absent
   * when none. Read leniently like `ramp`: one this version cannot read is left out (easing starts
   * afresh, waiting `recovery.sustain`).
   */
  readonly easing?: Easing;
  /**
   * The last tick's time, while an overload is in progress (that tick was over the target): the
   * first tick after a restore measures its length from it, as the uninterrupted controller does.
   */
  readonly lastTickMs?: number;
  /**
   * The healthy rate (healthy-rate.ts): requests a second the service handled within budget with
   * nothing shed, as last moved by 10 % (so a checkpoint is rewritten only then), and when it was
   * learned. Absent until one is learned. Read leniently: one that is not a positive rate and a
   * time is left out (the rate is learned afresh).
   */
  readonly healthyRate?: RateMark;
  /** The last decision's sequence number: the next decision is `seq + 1`. */
  readonly seq: number;
  /** The audit log, oldest first. */
  readonly decisions: readonly AdmissionDecision[];
}

/** `snapshot` with the version stamped on. */
export function versionedAdmission(snapshot: Omit<AdmissionSnapshot, 'version'>): AdmissionSnapshot {
  return { version: SNAPSHOT_VERSION, ...snapshot };
}

const isFiniteNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const optional = (item: unknown, test: (item: unknown) => boolean) => item === undefined || test(item);
const isProbability = (value: unknown) => isFiniteNumber(value) && value >= 0 && value <= 1;

function isDecision(value: unknown): value is AdmissionDecision {
  return (
    isRecord(value) &&
    Number.isSafeInteger(value.seq) &&
    isFiniteNumber(value.at) &&
    isCriticality(value.criticality) &&
    isProbability(value.from) &&
    isProbability(value.to) &&
    (ADMISSION_REASONS as readonly unknown[]).includes(value.reason) &&
    typeof value.message === 'string' &&
    isDegradationLevel(value.level)
  );
}

/** Whether `value` is a ramp this version reads: its ratios and times finite, its classes classes. */
function isRamp(value: unknown): value is Ramp {
  if (!isRecord(value)) return false;
  const { startRatio, checkMs, checkRatio, checkLoad, overMs, stalledSinceMs, slowSinceMs, lastRise, wait } =
    value;
  const { slowRatio, easedAtMs, capacity } = value;
  const rise = (item: unknown) =>
    isRecord(item) && isFiniteNumber(item.atMs) && isCriticality(item.criticality);
  const waiting = (item: unknown) =>
    isRecord(item) && isCriticality(item.criticality) && [item.sinceMs, item.ratio].every(isFiniteNumber);
  return (
    [startRatio, checkMs, checkRatio, overMs].every(isFiniteNumber) &&
    optional(checkLoad, isFiniteNumber) &&
    optional(stalledSinceMs, isFiniteNumber) &&
    optional(slowSinceMs, isFiniteNumber) &&
    optional(slowRatio, isFiniteNumber) &&
    optional(easedAtMs, isFiniteNumber) &&
    optional(lastRise, rise) &&
    optional(wait, waiting) &&
    optional(capacity, isCapacityCheck)
  );
}

const isCounts = (value: unknown) =>
  Array.isArray(value) && value.length === 4 && value.every(isFiniteNumber);

/** Whether `value` is a ramp's check of lost capacity (capacity-check.ts) this version reads. */
function isCapacityCheck(value: unknown): value is CapacityCheck {
  if (!isRecord(value) || !isFiniteNumber(value.underMs)) return false;
  const { start, verdict } = value;
  const started = (item: unknown) =>
    isRecord(item) &&
    isFiniteNumber(item.atMs) &&
    isCounts(item.finished) &&
    isCounts(item.shares) &&
    optional(item.inFlightMs, (ms) => isFiniteNumber(ms) && ms >= 0);
  return optional(start, started) && optional(verdict, (item) => item === 'lost' || item === 'kept');
}

const isTime = isFiniteNumber;

const isRate = (value: unknown): value is RateMark =>
  isRecord(value) && isFiniteNumber(value.perSecond) && value.perSecond > 0 && isFiniteNumber(value.atMs);

function isEaseStep(value: unknown): value is EaseStep {
  return (
    isRecord(value) &&
    [value.atMs, value.from, value.to].every(isFiniteNumber) &&
    (FILL_ORDER as readonly unknown[]).includes(value.criticality) &&
    typeof value.watched === 'boolean'
  );
}

const isFlow = (value: unknown) =>
  isRecord(value) && [value.arrivals, value.completions, value.expected].every(isFiniteNumber);

const isBack = (value: unknown) =>
  isRecord(value) && [value.to, value.thresholdRatio].every(isFiniteNumber) && optional(value.flow, isFlow);

/** Whether `value` is an easing this version reads: its steps steps, its times and wait finite. */
function isEasing(value: unknown): value is Easing {
  if (!isRecord(value)) return false;
  const { steps, backoffMs, back, startRatio, bandSinceMs, backAtMs, calmAtMs, drain, handed } = value;
  return (
    Array.isArray(steps) &&
    steps.every(isEaseStep) &&
    isFiniteNumber(backoffMs) &&
    backoffMs > 0 &&
    optional(back, isBack) &&
    optional(handed, isFiniteNumber) &&
    optional(
      drain,
      (item) =>
        isRecord(item) && optional(item.releasedAtMs, isTime) && optional(item.capacity, isFiniteNumber),
    ) &&
    [startRatio, bandSinceMs, backAtMs, calmAtMs].every((item) => optional(item, isTime))
  );
}

/**
 * `easing` restored at `nowMs`: a time after now is taken as now, and the wait is kept within
 * `recovery.sustain` and its 16-fold (the config may have changed since the snapshot).
 */
export function restoredEasing(
  easing: Easing | undefined,
  nowMs: number,
  sustainMs: number,
): Easing | undefined {
  if (easing === undefined) return undefined;
  const at = (ms: number) => Math.min(ms, nowMs);
  const { bandSinceMs, backAtMs, calmAtMs, drain } = easing;
  return {
    ...easing,
    steps: easing.steps.map((step) => ({ ...step, atMs: at(step.atMs) })),
    backoffMs: Math.min(Math.max(easing.backoffMs, sustainMs), sustainMs * 16),
    ...(bandSinceMs === undefined ? {} : { bandSinceMs: at(bandSinceMs) }),
    ...(backAtMs === undefined ? {} : { backAtMs: at(backAtMs) }),
    ...(calmAtMs === undefined ? {} : { calmAtMs: at(calmAtMs) }),
    ...(drain?.releasedAtMs === undefined
      ? {}
      : { drain: { ...drain, releasedAtMs: at(drain.releasedAtMs) } }),
  };
}

/** `ramp` restored at `nowMs`: a time after now (the wall clock stepped back) is taken as now. */
export function restoredRamp(ramp: Ramp | undefined, nowMs: number): Ramp | undefined {
  if (ramp === undefined) return undefined;
  const at = (ms: number) => Math.min(ms, nowMs);
  const { stalledSinceMs, slowSinceMs, easedAtMs, lastRise, wait, capacity } = ramp;
  return {
    ...ramp,
    checkMs: at(ramp.checkMs),
    overMs: at(ramp.overMs),
    ...(stalledSinceMs === undefined ? {} : { stalledSinceMs: at(stalledSinceMs) }),
    ...(slowSinceMs === undefined ? {} : { slowSinceMs: at(slowSinceMs) }),
    ...(easedAtMs === undefined ? {} : { easedAtMs: at(easedAtMs) }),
    ...(lastRise === undefined ? {} : { lastRise: { ...lastRise, atMs: at(lastRise.atMs) } }),
    ...(wait === undefined ? {} : { wait: { ...wait, sinceMs: at(wait.sinceMs) } }),
    ...(capacity === undefined ? {} : { capacity: restoredCheck(capacity, at) }),
  };
}

/** A check of lost capacity with its times taken through `at`. */
function restoredCheck(check: CapacityCheck, at: (ms: number) => number): CapacityCheck {
  const { start } = check;
  return {
    ...check,
    underMs: at(check.underMs),
    ...(start === undefined ? {} : { start: { ...start, atMs: at(start.atMs) } }),
  };
}

/**
 * `value` as a snapshot this version reads, or the reason it is not one. A `ramp` or an `easing` it
 * cannot read is left out (the rest is restored, as from a snapshot written before they were kept).
 */
export function parseAdmissionSnapshot(value: unknown): AdmissionSnapshot | string {
  if (!isRecord(value)) return 'not an object';
  if (value.version !== SNAPSHOT_VERSION)
    return `version ${String(value.version)} is not ${SNAPSHOT_VERSION}`;
  if (typeof value.namespace !== 'string' || typeof value.service !== 'string') return 'no service';
  if (!isDegradationLevel(value.level)) return `unknown level ${String(value.level)}`;
  if (!isFiniteNumber(value.pressure) || value.pressure < 0) return 'pressure is not a number >= 0';
  if (value.improvedSinceMs !== undefined && !isFiniteNumber(value.improvedSinceMs))
    return 'improvedSinceMs is not a time';
  if (value.lastTickMs !== undefined && !isFiniteNumber(value.lastTickMs)) return 'lastTickMs is not a time';
  if (!Number.isSafeInteger(value.seq) || (value.seq as number) < 0) return 'seq is not a whole number';
  if (!Array.isArray(value.decisions) || !value.decisions.every(isDecision))
    return 'decisions are not decisions';
  const { ramp, easing, healthyRate, ...rest } = value;
  return {
    ...rest,
    ...(ramp === undefined || !isRamp(ramp) ? {} : { ramp }),
    ...(easing === undefined || !isEasing(easing) ? {} : { easing }),
    ...(isRate(healthyRate) ? { healthyRate } : {}),
  } as unknown as AdmissionSnapshot;
}
