import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEGRADATION_LEVELS, type DegradationDecision, ManualClock } from '../../agent/index.ts';
import { bundledDemoConfig, demoCommand } from '../../app/cli/demo-command.ts';
import { formatDecision, formatMetricsLines, formatSummary } from '../../app/demo/demo-report.ts';
import { DEFAULT_DURATION_MS, DEFAULT_SLOWDOWN } from '../../app/demo/demo-service.ts';
import { DemoTraffic, type PlannedRun, type Slowdown, STEP_MS } from '../../app/demo/demo-traffic.ts';
import { startEmbedded as start } from '../../app/start.ts';
import { parseConfig } from '../../config/index.ts';
import type { EmbeddedHeadroom as Headroom } from '../../instrumentation/index.ts';

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
    headroom.agent
      .series({ service: headroom.service, operation: name, context, phase })
      .record(durationMs, false, endMs);
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
  const headroom = start({
    configFiles: [configFile],
    clock,
    registerGlobal: false,
    env: { HEADROOM_DEMO_PORT: '0' },
  });
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
        /^p95 of price-quote\/emergency [\d.]+ms is 1\.[5-9]\d*x its 50ms budget for 2 ticks$/,
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
      ' +12.0s  NONE -> MINIMAL  escalation: p95 of price-quote/emergency 59.7ms is 1.19x its 50ms budget for 2 ticks; off: recommendations',
      ' +49.0s  MINIMAL -> NONE  recovery: worst ratio stayed at or below 0.75x (exit threshold of MINIMAL, entered at 1x) for 5s; now p95 of price-quote/emergency 30.3ms is 0.61x its 50ms budget; off: none',
    ]);
  });

  it('should sum up with the last verdicts and the audit log as CSV, numbers rounded as printed', () => {
    const { headroom, startedMs } = simulateDemo();
    expect(formatSummary(headroom, startedMs).split('\n')).toEqual([
      '',
      'Final level: NONE',
      'Last verdicts (CSV):',
      'series,status,percentile,observed_ms,budget_ms,ratio,samples',
      'price-quote/emergency,ok,p95,32.1,50,0.64,360',
      'checkout/routine/routing,ok,p95,11.8,20,0.59,270',
      'checkout/routine/execution,ok,p95,102.5,140,0.73,270',
      'checkout/routine,ok,p95,111.1,200,0.56,270',
      'monthly-report/deliberative,ok,p95,645.6,1000,0.65,180',
      '',
      'Audit log (CSV; headroom.auditLog.toCSV() has every field at full precision):',
      'seq,at,from,to,reason,series,percentile,observed_ms,budget_ms,ratio,disabled,enabled',
      '1,+12.0s,NONE,MINIMAL,escalation,price-quote/emergency,p95,59.7,50,1.19,recommendations,',
      '2,+14.0s,MINIMAL,SEVERE,escalation,price-quote/emergency,p95,79.1,50,1.58,personalization;search_suggestions,',
      '3,+39.0s,SEVERE,MODERATE,recovery,monthly-report/deliberative,p95,608,1000,0.61,,search_suggestions',
      '4,+44.0s,MODERATE,MINIMAL,recovery,price-quote/emergency,p95,30.3,50,0.61,,personalization',
      '5,+49.0s,MINIMAL,NONE,recovery,price-quote/emergency,p95,30.3,50,0.61,,recommendations',
      '',
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
  it('should run with real timers, serve /metrics, say where to look, and leave no timer behind', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    const before = timers();
    let stdout = '';
    let scrape: Promise<string> | undefined;
    const stdoutWrite = (text: string) => {
      stdout += text;
      const url = /^Metrics: (\S+) /m.exec(text)?.[1];
      if (url !== undefined) scrape = fetch(url).then((response) => response.text());
    };
    const io = { stdout: stdoutWrite, stderr: () => {}, env: { HEADROOM_DEMO_PORT: '0' } };
    expect(await demoCommand(['--duration', '500ms'], io)).toBe(0);
    const port = /127\.0\.0\.1:(\d+)\/metrics/.exec(stdout)?.[1];
    expect(stdout.split('\n').slice(0, 14)).toEqual([
      '(a 500ms run may end before Headroom has recovered back to NONE)',
      'Headroom demo: service demo-checkout, config examples/demo.yaml, 500ms',
      '  price-quote     emergency     budget 50ms at p95, 40 runs/s',
      '  checkout        routine       budget 200ms at p95, 30 runs/s',
      '  monthly-report  deliberative  budget 1s at p95, 20 runs/s',
      'Timeline: traffic is normal for 10s; from 10s to 25s',
      'a slow dependency makes emergency and routine work 3x slower. Headroom escalates once the',
      'budgets are violated for 2 evaluations in a row, then recovers one level at a time once',
      "latency has stayed 25% under a level's threshold for 5s.",
      'Lines with "->" are degradation decisions (time, from -> to, reason, why, features off);',
      'the others show the level and each p95 every 5s.',
      `Metrics: http://127.0.0.1:${port}/metrics (what Prometheus scrapes from an embedded Headroom), e.g.`,
      `  curl -s http://127.0.0.1:${port}/metrics | grep -E '^headroom_(degradation_level|budget_utilization_ratio)'`,
      '',
    ]);
    expect(await scrape).toContain('\nheadroom_degradation_level{service="demo-checkout"} 0\n');
    expect(stdout).toContain('\nFinal level: NONE\n');
    expect(stdout).not.toMatch(/\d\.\d{4,}/); // no 15-digit floats anywhere
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it('should serve the metrics where embedded Headroom does by default (127.0.0.1:9464/metrics)', () => {
    const demo = parseConfig([{ file: configFile, text: readFileSync(configFile, 'utf8') }], {});
    expect(demo.exporters.prometheus).toEqual(parseConfig([], {}).exporters.prometheus);
    expect([
      demo.exporters.prometheus.host,
      demo.exporters.prometheus.port,
      demo.exporters.prometheus.path,
    ]).toEqual(['127.0.0.1', 9464, '/metrics']);
  });

  it('should say why the metrics are not served, and what to do', () => {
    expect(
      formatMetricsLines({
        url: undefined,
        error: new Error('listen EADDRINUSE: address already in use 127.0.0.1:9464'),
      }),
    ).toEqual([
      'Metrics: not served (listen EADDRINUSE: address already in use 127.0.0.1:9464); set HEADROOM_DEMO_PORT to a free port, or 0 for any.',
    ]);
  });
});
