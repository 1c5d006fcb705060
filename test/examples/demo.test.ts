import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEGRADATION_LEVELS, type DegradationDecision, ManualClock } from '../../agent/index.ts';
import { bundledDemoConfig, demoCommand } from '../../app/cli/demo-command.ts';
import { formatDecision, formatSummary } from '../../examples/demo-report.ts';
import { DEFAULT_DURATION_MS, DEFAULT_SLOWDOWN } from '../../examples/demo-service.ts';
import { DemoTraffic, type PlannedRun, type Slowdown, STEP_MS } from '../../examples/demo-traffic.ts';
import { type Headroom, start } from '../../index.ts';

const configFile = fileURLToPath(new URL('../../examples/demo.yaml', import.meta.url));

let running: Headroom | undefined;
afterEach(async () => {
  await running?.shutdown();
  running = undefined;
});

/**
 * Records one planned run as the demo service would have measured it, ending at `endMs`: checkout
 * with its two phases, and its recommendations only while the feature is on.
 */
function recordRun(headroom: Headroom, run: PlannedRun, endMs: number): void {
  const { name, context } = run.operation;
  const executionMs = run.workMs + (headroom.features.enabled('recommendations') ? run.optionalMs : 0);
  const record = (phase: string, durationMs: number) =>
    headroom.agent.record(headroom.service, name, context, phase, durationMs, false, endMs);
  if (name === 'checkout') {
    record('routing', run.routingMs);
    record('execution', executionMs);
  }
  record('', run.routingMs + executionMs);
}

/** Plays the demo's traffic plan on a manual clock (the agent ticks on it): a minute in milliseconds. */
function simulateDemo(options: { durationMs?: number; slowdown?: Slowdown; seed?: number } = {}) {
  const { durationMs = DEFAULT_DURATION_MS, slowdown = DEFAULT_SLOWDOWN, seed = 1 } = options;
  const clock = new ManualClock();
  const headroom = start({ configFiles: [configFile], clock, registerGlobal: false, env: {} });
  running = headroom;
  const startedMs = clock.now();
  const decisions: DegradationDecision[] = [];
  headroom.onDecision((decision) => decisions.push(decision));
  const traffic = new DemoTraffic({ slowdown, seed });
  for (let elapsedMs = 0; elapsedMs < durationMs; elapsedMs += STEP_MS) {
    const runs = traffic.step(elapsedMs);
    clock.advance(STEP_MS);
    for (const run of runs) recordRun(headroom, run, clock.now());
  }
  const offsetsMs = decisions.map((decision) => decision.at - startedMs);
  return { headroom, decisions, startedMs, offsetsMs };
}

const transitions = (decisions: readonly DegradationDecision[]) =>
  decisions.map(({ from, to, reason }) => ({ from, to, reason }));

const levelIndex = (level: string) =>
  DEGRADATION_LEVELS.indexOf(level as (typeof DEGRADATION_LEVELS)[number]);

describe('the demo', () => {
  it('should escalate during the slowdown, then recover one level at a time back to NONE', () => {
    const { headroom, decisions, offsetsMs } = simulateDemo();
    // The slowdown starts at 10 s: the evaluations at 11 s and 12 s violate (2 ticks), and again
    // at 13 s and 14 s, higher. It ends at 25 s; its samples leave the 10 s window by 34 s, and
    // each level then needs 5 s of good p95 (recovery.sustain).
    expect(transitions(decisions).map((transition, i) => ({ ...transition, atMs: offsetsMs[i] }))).toEqual([
      { from: 'NONE', to: 'MINIMAL', reason: 'escalation', atMs: 12_000 },
      { from: 'MINIMAL', to: 'SEVERE', reason: 'escalation', atMs: 14_000 },
      { from: 'SEVERE', to: 'MODERATE', reason: 'recovery', atMs: 39_000 },
      { from: 'MODERATE', to: 'MINIMAL', reason: 'recovery', atMs: 44_000 },
      { from: 'MINIMAL', to: 'NONE', reason: 'recovery', atMs: 49_000 },
    ]);
    expect(headroom.level).toBe('NONE');
    expect(headroom.features.enabled('recommendations')).toBe(true);
  });

  it('should explain an escalation with its evidence and the features it switched off', () => {
    const { decisions, startedMs, offsetsMs } = simulateDemo();
    const severe = decisions[1];
    expect(severe).toEqual({
      seq: 2,
      at: startedMs + (offsetsMs[1] as number),
      namespace: '',
      service: 'demo-checkout',
      from: 'MINIMAL',
      to: 'SEVERE',
      reason: 'escalation',
      message: expect.stringMatching(
        /^p95 of price-quote\/emergency [\d.]+ ms is 1\.[5-9]\d*x its 50 ms budget for 2 ticks$/,
      ),
      evidence: {
        series: {
          namespace: '',
          service: 'demo-checkout',
          operation: 'price-quote',
          context: 'emergency',
          phase: '',
        },
        percentile: 'p95',
        observedMs: expect.any(Number),
        budgetMs: 50,
        ratio: expect.any(Number),
        samples: expect.any(Number),
      },
      actions: { disabled: ['personalization', 'search_suggestions'], enabled: [] },
      disabledFeatures: ['recommendations', 'personalization', 'search_suggestions'],
    });
    expect(severe?.evidence?.ratio).toBeGreaterThanOrEqual(1.5);
    expect(severe?.evidence?.ratio).toBeLessThan(2);
  });

  it('should switch features back on one level at a time as it recovers', () => {
    const { decisions } = simulateDemo();
    const recoveries = decisions.filter((decision) => decision.reason === 'recovery');
    expect(recoveries.map(({ actions, disabledFeatures }) => ({ actions, disabledFeatures }))).toEqual([
      {
        actions: { disabled: [], enabled: ['search_suggestions'] },
        disabledFeatures: ['recommendations', 'personalization'],
      },
      { actions: { disabled: [], enabled: ['personalization'] }, disabledFeatures: ['recommendations'] },
      { actions: { disabled: [], enabled: ['recommendations'] }, disabledFeatures: [] },
    ]);
  });

  it.each([2, 3, 4, 5, 6])('should go up during the slowdown and step down to NONE with seed %i', (seed) => {
    const { headroom, decisions, offsetsMs } = simulateDemo({ seed });
    const firstRecovery = decisions.findIndex((decision) => decision.reason !== 'escalation');
    expect(firstRecovery).toBeGreaterThan(0);
    for (const [i, decision] of decisions.entries()) {
      const step = levelIndex(decision.to) - levelIndex(decision.from);
      if (i < firstRecovery) expect(step).toBeGreaterThan(0);
      else expect({ reason: decision.reason, step }).toEqual({ reason: 'recovery', step: -1 });
      if (i < firstRecovery) expect(offsetsMs[i]).toBeLessThan(DEFAULT_SLOWDOWN.endMs);
      else expect(offsetsMs[i]).toBeGreaterThan(DEFAULT_SLOWDOWN.endMs);
    }
    const recoveriesAtMs = offsetsMs.slice(firstRecovery);
    for (let i = 1; i < recoveriesAtMs.length; i++)
      expect((recoveriesAtMs[i] as number) - (recoveriesAtMs[i - 1] as number)).toBeGreaterThanOrEqual(5000);
    expect(decisions[firstRecovery - 1]?.to).toBe('SEVERE');
    expect(headroom.level).toBe('NONE');
  });

  it('should stay at NONE without a slowdown', () => {
    const { decisions, headroom } = simulateDemo({ slowdown: { startMs: 0, endMs: 0, factor: 3 } });
    expect(decisions).toEqual([]);
    expect(headroom.verdicts().map((verdict) => verdict.status)).not.toContain('violated');
  });

  it('should print a decision as one line: offset, from -> to, reason, message, features off', () => {
    const { decisions, startedMs } = simulateDemo();
    const lines = decisions.map((decision) => formatDecision(decision, startedMs));
    expect([lines[0], lines[4]]).toEqual([
      ' +12.0s  NONE -> MINIMAL  escalation: p95 of price-quote/emergency 59.7 ms is 1.19x its 50 ms budget for 2 ticks; off: recommendations',
      ' +49.0s  MINIMAL -> NONE  recovery: worst ratio stayed at or below 0.75x (exit threshold of MINIMAL, entered at 1x) for 5s; now p95 of price-quote/emergency 30.3 ms is 0.61x its 50 ms budget; off: none',
    ]);
  });

  it('should sum up with the last verdicts and the audit log as CSV', () => {
    const { headroom } = simulateDemo();
    const lines = formatSummary(headroom).split('\n');
    expect(lines.slice(0, 4)).toEqual([
      '',
      'Final level: NONE',
      'Last verdicts (CSV):',
      'series,status,percentile,observed_ms,budget_ms,ratio,samples',
    ]);
    const verdictRows = lines.slice(4, lines.indexOf('', 4)).map((line) => line.split(',').slice(0, 3));
    expect(verdictRows).toEqual([
      ['price-quote/emergency', 'ok', 'p95'],
      ['checkout/routine/routing', 'ok', 'p95'],
      ['checkout/routine/execution', 'ok', 'p95'],
      ['checkout/routine', 'ok', 'p95'],
      ['monthly-report/deliberative', 'ok', 'p95'],
    ]);
    const audit = lines.slice(lines.indexOf('Audit log (CSV):') + 1).filter((line) => line !== '');
    expect(audit[0]).toBe(
      'seq,at,service,from,to,reason,message,series,percentile,observed_ms,budget_ms,ratio,disabled,enabled',
    );
    expect(audit.slice(1).map((row) => row.split(',').slice(3, 6))).toEqual([
      ['NONE', 'MINIMAL', 'escalation'],
      ['MINIMAL', 'SEVERE', 'escalation'],
      ['SEVERE', 'MODERATE', 'recovery'],
      ['MODERATE', 'MINIMAL', 'recovery'],
      ['MINIMAL', 'NONE', 'recovery'],
    ]);
  });
});

describe('headroom demo', () => {
  it('should find the bundled demo configuration', () => {
    expect(bundledDemoConfig()).toBe(configFile);
  });

  it('should refuse a --duration that is not a duration', async () => {
    let stderr = '';
    const io = { stdout: () => {}, stderr: (text: string) => (stderr += text), env: {} };
    expect(await demoCommand(['--duration', 'soon'], io)).toBe(2);
    expect(stderr).toBe('headroom demo: --duration "soon" is not a duration such as 60s or 1m30s\n');
  });

  // The one test on real time (half a second): the real service, timers and shutdown.
  it('should run with real timers, print its header and summary, and leave no timer behind', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    const before = timers();
    let stdout = '';
    const io = { stdout: (text: string) => (stdout += text), stderr: () => {}, env: {} };
    expect(await demoCommand(['--duration', '500ms'], io)).toBe(0);
    expect(stdout).toMatch(/^\(a 500ms run may end before Headroom has recovered back to NONE\)\n/);
    expect(stdout).toContain('Headroom demo: service demo-checkout, config examples/demo.yaml, 1 s\n');
    expect(stdout).toContain('\nFinal level: NONE\n');
    expect(stdout).toContain('\nAudit log (CSV):\nseq,at,service,');
    expect(timers()).toBeLessThanOrEqual(before);
  });
});
