/**
 * The automatic half of degradation: escalate fast but not on a single spike, recover one level at a
 * time once the improvement has held, force a recovery attempt after `recovery.maxDuration`.
 */
import type { Verdict } from '../budget/types.ts';
import type { DegradationConfig, LevelTable } from './level-table.ts';
import { type DegradationLevel, levelAt, levelIndex } from './levels.ts';
import { escalationMessage, evidenceOf, forcedRecoveryMessage, recoveryMessage } from './messages.ts';
import type { DecisionEvidence } from './types.ts';

/** A transition the policy asks for; the manager turns it into a decision. */
export interface Proposal {
  readonly to: DegradationLevel;
  readonly reason: 'escalation' | 'recovery' | 'forced-recovery';
  readonly message: string;
  readonly evidence?: DecisionEvidence;
}

/** The verdict with the highest ratio; NaN ratios are ignored; `undefined` when there is none. */
export function worstOf(verdicts: readonly Verdict[]): Verdict | undefined {
  let worst: Verdict | undefined;
  for (const verdict of verdicts) {
    if (Number.isNaN(verdict.ratio)) continue;
    if (worst === undefined || verdict.ratio > worst.ratio) worst = verdict;
  }
  return worst;
}

/** Escalation run and improvement timer of one manager; stateless about the level itself. */
export class TransitionPolicy {
  readonly #table: LevelTable;
  readonly #config: DegradationConfig;
  /** Consecutive ticks whose target was above the current level. */
  #runTicks = 0;
  /** The weakest worst verdict of the run: its target is the lowest of the run. */
  #runWeakest: Verdict | undefined;
  /**
   * Since when the worst ratio has stayed at or below the current level's exit threshold, ms;
   * read and set by checkpoints (sustain progress).
   */
  improvedSinceMs: number | undefined;

  constructor(table: LevelTable, config: DegradationConfig) {
    this.#table = table;
    this.#config = config;
  }

  /**
   * Judges one tick at `level`, held by automation since `heldSinceMs`; `worst` is undefined on a
   * no-data tick. Returns the transition to make, if any.
   */
  next(
    level: DegradationLevel,
    worst: Verdict | undefined,
    nowMs: number,
    heldSinceMs: number,
  ): Proposal | undefined {
    if (worst === undefined) {
      this.#runTicks = 0; // a gap in the data breaks "consecutive"; the improvement timer runs on
      this.#runWeakest = undefined;
    } else {
      const escalation = this.#escalate(level, worst);
      if (escalation !== undefined) return escalation;
      this.#trackImprovement(level, worst.ratio, nowMs);
    }
    return this.#recover(level, worst, nowMs, heldSinceMs) ?? this.#force(level, nowMs, heldSinceMs);
  }

  /** Restarts the run and the improvement timer after the manager moved to (or resumed at) `level`. */
  entered(level: DegradationLevel, worst: Verdict | undefined, nowMs: number): void {
    this.#runTicks = 0;
    this.#runWeakest = undefined;
    this.improvedSinceMs = undefined;
    if (worst !== undefined) this.#trackImprovement(level, worst.ratio, nowMs);
  }

  #escalate(level: DegradationLevel, worst: Verdict): Proposal | undefined {
    if (levelIndex(this.#table.targetFor(worst.ratio)) <= levelIndex(level)) {
      this.#runTicks = 0;
      this.#runWeakest = undefined;
      return undefined;
    }
    this.#runTicks++;
    if (this.#runWeakest === undefined || worst.ratio < this.#runWeakest.ratio) this.#runWeakest = worst;
    if (this.#runTicks < this.#config.escalation.ticks) return undefined;
    const evidence = evidenceOf(this.#runWeakest);
    const to = this.#table.targetFor(evidence.ratio);
    return { to, reason: 'escalation', message: escalationMessage(evidence, this.#runTicks), evidence };
  }

  #trackImprovement(level: DegradationLevel, ratio: number, nowMs: number): void {
    if (level === 'NONE' || ratio > this.#table.row(level).exitRatio) this.improvedSinceMs = undefined;
    else this.improvedSinceMs ??= nowMs;
  }

  #recover(level: DegradationLevel, worst: Verdict | undefined, nowMs: number, heldSinceMs: number) {
    const since = this.improvedSinceMs;
    if (level === 'NONE' || since === undefined) return undefined;
    const { sustainMs, minDwellMs } = this.#config.recovery;
    if (nowMs - since < sustainMs || nowMs - heldSinceMs < minDwellMs) return undefined;
    const evidence = worst === undefined ? undefined : evidenceOf(worst);
    const message = recoveryMessage(this.#table.row(level), nowMs - since, evidence);
    const proposal: Proposal = { to: levelAt(levelIndex(level) - 1), reason: 'recovery', message };
    return evidence === undefined ? proposal : { ...proposal, evidence };
  }

  #force(level: DegradationLevel, nowMs: number, heldSinceMs: number): Proposal | undefined {
    const { maxDurationMs } = this.#config.recovery;
    if (level === 'NONE' || nowMs - heldSinceMs < maxDurationMs) return undefined;
    const message = forcedRecoveryMessage(level, nowMs - heldSinceMs, maxDurationMs);
    return { to: levelAt(levelIndex(level) - 1), reason: 'forced-recovery', message };
  }
}
