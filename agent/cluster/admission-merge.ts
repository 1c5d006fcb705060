/**
 * Admission across a cluster's IPC channel (review15f H4), checked both ways before use: the
 * primary merges each worker's {@link AdmissionDelta} into its controllers (ratios into their
 * windows, admit() counts into their counters), and a worker takes the primary's
 * {@link ServiceAdmission}s to follow. Nothing here throws on what arrives: a malformed entry is
 * dropped (and counted by the primary).
 */

import { FILL_ORDER } from '../admission/admission-law.ts';
import { CRITICALITIES, type Criticality } from '../admission/criticality.ts';
import type { Agent } from '../agent.ts';
import { isDegradationLevel } from '../degradation/index.ts';
import { isFiniteNumber, isRecord } from '../durable-state.ts';
import type { ServiceAdmission } from './protocol.ts';

/** Samples one ratio bucket may stand for: more is not a delta of one evaluation interval. */
const MAX_BUCKET_COUNT = 1_000_000;

/** What merging one delta's admission did. */
export interface AdmissionMerge {
  /** Entries refused (malformed). */
  readonly refused: number;
  /**
   * Ratios that arrived too late for the admission window (a delta held on the way, a worker's
   * loop stalled): counted finished for the flow, as their admissions were, but in no percentile.
   */
  readonly late: number;
}

/**
 * Merges a delta's `admission` (unchecked) into `agent`'s controllers. A bucket of `count` ratios
 * is recorded `count` times, at its end time; one too old for the window and the delta's `late`
 * counts still count as finished operations (review15g M4): the admissions and completions of one
 * delta are taken together, whatever its delay, so a late delta leaves no phantom backlog.
 */
export function mergeAdmission(agent: Agent, value: unknown): AdmissionMerge {
  let refused = 0;
  let late = 0;
  const oldestMs = agent.clock.now() - agent.config.admission.windowMs;
  for (const entry of Array.isArray(value) ? value : []) {
    if (!isRecord(entry) || typeof entry.service !== 'string' || typeof entry.namespace !== 'string') {
      refused++;
      continue;
    }
    const controller = agent.admission(entry.service, entry.namespace);
    const samples = isRecord(entry.samples) ? entry.samples : {};
    const admitted = isRecord(entry.admitted) ? entry.admitted : {};
    const rejected = isRecord(entry.rejected) ? entry.rejected : {};
    const aged = isRecord(entry.late) ? entry.late : {};
    for (const c of CRITICALITIES) {
      for (const bucket of Array.isArray(samples[c]) ? (samples[c] as unknown[]) : []) {
        if (!isBucket(bucket)) {
          refused++;
          continue;
        }
        const [endMs, ratio, count] = bucket;
        if (endMs <= oldestMs) late += count;
        for (let i = 0; i < count; i++) controller.record(c, ratio, endMs);
      }
      const a = countOf(admitted[c]);
      const r = countOf(rejected[c]);
      if (a + r > 0) controller.counted(c, a, r);
      const finished = countOf(aged[c]);
      late += finished;
      controller.completed(c, finished);
    }
  }
  return { refused, late };
}

/** The well-formed service admissions of a state's `admission` (unchecked); others are dropped. */
export function followedAdmissionsOf(value: unknown): ServiceAdmission[] {
  const out: ServiceAdmission[] = [];
  for (const entry of Array.isArray(value) ? value : []) {
    if (!isRecord(entry) || typeof entry.service !== 'string' || typeof entry.namespace !== 'string')
      continue;
    const { enabled, level, retryAfterMs, bounds } = entry;
    const shares = probabilitiesOf(entry.shares);
    const probabilities = probabilitiesOf(entry.probabilities);
    if (typeof enabled !== 'boolean' || !isDegradationLevel(level) || !isRecord(bounds)) continue;
    if (!(isFiniteNumber(retryAfterMs) && retryAfterMs >= 0)) continue;
    const caps = sheddableOf(bounds.caps);
    const floors = sheddableOf(bounds.floors);
    if (shares === undefined || probabilities === undefined || caps === undefined || floors === undefined)
      continue;
    const { namespace, service } = entry;
    out.push({
      namespace,
      service,
      enabled,
      level,
      retryAfterMs,
      shares,
      probabilities,
      bounds: { caps, floors },
    });
  }
  return out;
}

function isProbability(value: unknown): value is number {
  return isFiniteNumber(value) && value >= 0 && value <= 1;
}

/** A probability per class; CRITICAL_PLUS is always 0, whatever arrives. */
function probabilitiesOf(value: unknown): Readonly<Record<Criticality, number>> | undefined {
  if (!isRecord(value)) return undefined;
  const out = { CRITICAL_PLUS: 0, CRITICAL: 0, SHEDDABLE_PLUS: 0, SHEDDABLE: 0 };
  for (const c of FILL_ORDER) {
    const p = value[c];
    if (!isProbability(p)) return undefined;
    out[c] = p;
  }
  return Object.freeze(out);
}

function sheddableOf(value: unknown): Record<(typeof FILL_ORDER)[number], number> | undefined {
  const all = probabilitiesOf(value);
  if (all === undefined) return undefined;
  return { SHEDDABLE: all.SHEDDABLE, SHEDDABLE_PLUS: all.SHEDDABLE_PLUS, CRITICAL: all.CRITICAL };
}

function isBucket(value: unknown): value is [number, number, number] {
  if (!Array.isArray(value) || value.length !== 3) return false;
  const [endMs, ratio, count] = value as unknown[];
  return (
    isFiniteNumber(endMs) &&
    isFiniteNumber(ratio) &&
    ratio >= 0 &&
    Number.isSafeInteger(count) &&
    (count as number) > 0 &&
    (count as number) <= MAX_BUCKET_COUNT
  );
}

function countOf(value: unknown): number {
  return Number.isSafeInteger(value) && (value as number) > 0 ? (value as number) : 0;
}
