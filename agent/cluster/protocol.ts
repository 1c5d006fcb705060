/**
 * The messages a cluster's workers and primary exchange over the IPC channel (`process.send`):
 * plain JSON-able objects tagged with {@link CLUSTER_PROTOCOL}, so the service's own messages on
 * the same channel are told apart. Workers say hello and ship deltas; the primary answers with
 * the group's state. Nothing here throws on what arrives: a message is checked before it is used.
 */

import type { Criticality, FollowedAdmission } from '../admission/index.ts';
import type { DegradationState } from '../degradation/index.ts';
import { isFiniteNumber, isRecord } from '../durable-state.ts';
import type { LoadSignals } from '../load/index.ts';
import type { SlotState, TotalsCounts } from '../window/index.ts';

/** The tag of every Headroom cluster message; another version is ignored. */
export const CLUSTER_PROTOCOL = 'headroom-cluster/1';

/** The names of one series: namespace, service, operation, context, phase. */
export type SeriesNamesTuple = readonly [string, string, string, string, string];

/** What one worker recorded into one series since its previous delta. */
export interface SeriesDelta {
  readonly names: SeriesNamesTuple;
  /** Largest end time among the samples, ms since the epoch. */
  readonly lastRecordMs: number | null;
  /** New samples by window slot (each slot holds only this delta's samples), oldest first. */
  readonly slots: readonly SlotState[];
  /** The same samples as cumulative-histogram counts. */
  readonly totals: TotalsCounts;
}

/** Samples a worker dropped since its previous delta, by reason. */
export interface WorkerDrops {
  /** Refused by the window: negative, NaN or infinite duration, or an end time not finite. */
  readonly invalid: number;
  /** Behind the window, or before the caller's `notBeforeMs`. */
  readonly late: number;
  /** Longer than `window.maxSpanDuration`. */
  readonly duration: number;
  /** Held by the worker longer than a window (the primary did not answer, or IPC was congested). */
  readonly backlog: number;
}

/** The window shape a delta's slots were taken with: they merge only into windows of the same one. */
export interface DeltaWindow {
  readonly version: number;
  readonly windowMs: number;
  readonly resolutionMs: number;
  readonly relativeAccuracy: number;
}

/** Ratios of one class: `[endMs, ratio, count]`, `count` samples of about that ratio ending by `endMs`. */
export type RatioBucket = readonly [number, number, number];

/** What one worker's admission of one service saw since its previous delta. */
export interface AdmissionDelta {
  readonly namespace: string;
  readonly service: string;
  /** The duration/budget ratios its controller accepted, per class (to within 0.5 %, 100 ms). */
  readonly samples: Readonly<Partial<Record<Criticality, readonly RatioBucket[]>>>;
  /** Requests its `admit()` admitted and rejected, per class. */
  readonly admitted: Readonly<Partial<Record<Criticality, number>>>;
  readonly rejected: Readonly<Partial<Record<Criticality, number>>>;
  /**
   * Operations that finished too long ago for the admission window before they could be shipped
   * (the worker's loop or link stalled), per class: completions without a ratio, so the primary's
   * flow sees them finish as it saw them admitted (review15g M4). Absent when none.
   */
  readonly late?: Readonly<Partial<Record<Criticality, number>>>;
}

/** A service's admission as the primary has it in force, for the workers to follow. */
export interface ServiceAdmission extends FollowedAdmission {
  readonly namespace: string;
  readonly service: string;
}

/** Worker to primary: "I am here" (repeated until the primary answers with its state). */
export interface HelloMessage {
  readonly protocol: typeof CLUSTER_PROTOCOL;
  readonly type: 'hello';
}

/** Worker to primary: the samples recorded since the previous delta. */
export interface DeltaMessage {
  readonly protocol: typeof CLUSTER_PROTOCOL;
  readonly type: 'delta';
  readonly window: DeltaWindow;
  readonly series: readonly SeriesDelta[];
  readonly dropped: WorkerDrops;
  /** The worker's event-loop and CPU signals since its previous delta; absent without adaptive scaling. */
  readonly load?: LoadSignals;
  /** What the worker's admission saw, per service; absent when nothing. */
  readonly admission?: readonly AdmissionDelta[];
  /** Times the worker dropped the primary's shedding, not renewed in time (worker-admission.ts). */
  readonly admissionFallbacks?: number;
}

/** Primary to worker: the group's decisions, which the worker follows. */
export interface StateMessage {
  readonly protocol: typeof CLUSTER_PROTOCOL;
  readonly type: 'state';
  /** Each service's degradation state, as the primary decided it. */
  readonly services: readonly DegradationState[];
  /** The budget modifiers active in the primary. */
  readonly modifiers: readonly string[];
  /** The primary's load factor (from the group's heaviest worker) that budgets are scaled by. */
  readonly loadFactor: number;
  /** Each service's admission in force (probabilities, floors), which the workers' `admit()` follows. */
  readonly admission: readonly ServiceAdmission[];
}

/** The message's `type` when `value` is a Headroom cluster message of this protocol; otherwise `undefined`. */
export function clusterMessageType(value: unknown): string | undefined {
  if (!isRecord(value) || value.protocol !== CLUSTER_PROTOCOL || typeof value.type !== 'string')
    return undefined;
  return value.type;
}

/** Whether `value` is a well-formed {@link DeltaWindow}. */
export function isDeltaWindow(value: unknown): value is DeltaWindow {
  return (
    isRecord(value) &&
    [value.version, value.windowMs, value.resolutionMs, value.relativeAccuracy].every(isFiniteNumber)
  );
}

/** Whether `value` is a {@link SeriesNamesTuple}. */
export function isNamesTuple(value: unknown): value is SeriesNamesTuple {
  return Array.isArray(value) && value.length === 5 && value.every((name) => typeof name === 'string');
}

/** The counts of `value` as {@link WorkerDrops}, each a finite number >= 0 or 0. */
export function dropsOf(value: unknown): WorkerDrops {
  const record = isRecord(value) ? value : {};
  const count = (n: unknown) => (isFiniteNumber(n) && n >= 0 ? n : 0);
  return {
    invalid: count(record.invalid),
    late: count(record.late),
    duration: count(record.duration),
    backlog: count(record.backlog),
  };
}

/** `value` as {@link LoadSignals} when it is one (finite numbers >= 0); otherwise `undefined`. */
export function loadSignalsOf(value: unknown): LoadSignals | undefined {
  if (!isRecord(value)) return undefined;
  const { eventLoopDelayP99Ms, eventLoopUtilization, cpu } = value;
  const numbers = [eventLoopDelayP99Ms, eventLoopUtilization, cpu];
  if (!numbers.every((n) => isFiniteNumber(n) && n >= 0)) return undefined;
  return { eventLoopDelayP99Ms, eventLoopUtilization, cpu } as LoadSignals;
}
