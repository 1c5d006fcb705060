import { describe, expect, it } from 'vitest';
import type { DegradationDecision } from '../../../agent/degradation/index.ts';
import { setup } from './setup.ts';

const VIOLATED_MS = 80; // 1.6x: a SEVERE target
const OK_MS = 25; // 0.5x: under every exit threshold

/** Alternates violated / ok every tick, violated first, for `count` one-second ticks. */
function flap(tick: (observedMs?: number) => DegradationDecision | undefined, count: number) {
  const decisions: DegradationDecision[] = [];
  for (let i = 0; i < count; i++) {
    const decision = tick(i % 2 === 0 ? VIOLATED_MS : OK_MS);
    if (decision !== undefined) decisions.push(decision);
  }
  return decisions;
}

describe('DegradationManager under flapping input', () => {
  it('should make no transition at all in 10 minutes with the default config', () => {
    // Escalation needs 3 consecutive violating ticks; alternation never gives more than 1.
    const { manager, tick } = setup();
    expect(flap(tick, 600)).toEqual([]);
    expect(manager.level).toBe('NONE');
  });

  it('should escalate once and then hold in 10 minutes when a single tick escalates', () => {
    // With ticks: 1 the first violation escalates; every other tick is above SEVERE's 1.125x exit
    // threshold and restarts the 30 s improvement timer, so recovery never comes.
    const { manager, tick } = setup({ escalation: { ticks: 1 } });
    const decisions = flap(tick, 600);
    expect(decisions.map((d) => [d.from, d.to, d.reason])).toEqual([['NONE', 'SEVERE', 'escalation']]);
    expect(manager.level).toBe('SEVERE');
  });

  it('should bound transitions to one forced recovery and one re-escalation per maxDuration', () => {
    // Over 30 minutes: escalation at 1 s, then at 601 s and 1203 s a forced recovery each, each
    // undone by the next violating tick (603 s, 1205 s); the next forced recovery would be at 1805 s.
    const { startMs, tick } = setup({ escalation: { ticks: 1 } });
    const decisions = flap(tick, 1800);
    expect(decisions.map((d) => [(d.at - startMs) / 1000, d.from, d.to, d.reason])).toEqual([
      [1, 'NONE', 'SEVERE', 'escalation'],
      [601, 'SEVERE', 'MODERATE', 'forced-recovery'],
      [603, 'MODERATE', 'SEVERE', 'escalation'],
      [1203, 'SEVERE', 'MODERATE', 'forced-recovery'],
      [1205, 'MODERATE', 'SEVERE', 'escalation'],
    ]);
  });
});
