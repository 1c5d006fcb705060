/**
 * What the demo prints: a header, one line per degradation decision, a status line every few
 * seconds, and a summary (the last verdicts and the audit log, as CSV). Pure formatting: every
 * function returns text, so the tests check the same lines the demo prints.
 */
import type { DegradationDecision, Headroom, Verdict } from '../index.ts';
import { DEMO_OPERATIONS, type Slowdown, STEP_MS } from './demo-traffic.ts';

/** `+12.0s`: time since the demo started. */
export function formatOffset(atMs: number, startedMs: number): string {
  return `+${((atMs - startedMs) / 1000).toFixed(1)}s`.padStart(7);
}

/** `1.64x` */
function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}x`;
}

/**
 * One decision on one line: when, from -> to, why, and the features now off.
 * @example
 * // ' +12.0s  NONE -> MINIMAL  escalation: p95 of price-quote/emergency 61.2 ms is 1.22x its 50 ms budget for 2 ticks; off: recommendations'
 */
export function formatDecision(decision: DegradationDecision, startedMs: number): string {
  const { from, to, reason, message, disabledFeatures } = decision;
  const off = disabledFeatures.length === 0 ? 'none' : disabledFeatures.join(', ');
  return `${formatOffset(decision.at, startedMs)}  ${from} -> ${to}  ${reason}: ${message}; off: ${off}`;
}

/** The level and each operation's percentile/budget ratio (phases left out): the demo's heartbeat. */
export function formatStatus(
  atMs: number,
  startedMs: number,
  level: string,
  verdicts: readonly Verdict[],
): string {
  const operations = verdicts.filter((verdict) => verdict.series.phase === '');
  const ratios =
    operations.length === 0
      ? 'no verdicts yet (each window needs evaluation.minSamples samples)'
      : operations
          .map(
            (v) =>
              `${v.series.operation} ${v.percentile} ${v.observedMs.toFixed(0)}ms=${formatRatio(v.ratio)}`,
          )
          .join('  ');
  return `${formatOffset(atMs, startedMs)}  [${level}]  ${ratios}`;
}

export interface HeaderOptions {
  readonly configFile: string;
  readonly durationMs: number;
  readonly slowdown: Slowdown;
}

/** What the demo is about to do, with the budgets it will be judged against. */
export function formatHeader(headroom: Headroom, options: HeaderOptions): string {
  const { durationMs, slowdown } = options;
  const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
  const config = headroom.agent.config;
  const operations = DEMO_OPERATIONS.map((op) => {
    const budgetMs = headroom.agent.targets.baseBudgetMs(op.name, op.context);
    const percentile = config.contexts[op.context]?.percentile ?? 'p95';
    const rate = (op.runsPerStep * 1000) / STEP_MS;
    return `  ${op.name.padEnd(15)} ${op.context.padEnd(13)} budget ${budgetMs} ms at ${percentile}, ${rate} runs/s`;
  });
  const slowed = (slowdown.contexts ?? ['emergency', 'routine']).join(' and ');
  const { recovery } = config.degradation;
  return [
    `Headroom demo: service ${headroom.service}, config ${options.configFile}, ${seconds(durationMs)}`,
    ...operations,
    `Timeline: traffic is normal for ${seconds(slowdown.startMs)}; from ${seconds(slowdown.startMs)} to ${seconds(slowdown.endMs)}`,
    `a slow dependency makes ${slowed} work ${slowdown.factor}x slower. Headroom escalates once the`,
    `budgets are violated for ${config.degradation.escalation.ticks} evaluations in a row, then recovers one level at a time once`,
    `latency has stayed ${Math.round(recovery.improvement * 100)}% under a level's threshold for ${seconds(recovery.sustain)}.`,
    'Lines with "->" are degradation decisions (time, from -> to, reason, why, features off);',
    'the others show the level and each p95 every 5 s.',
    '',
  ].join('\n');
}

/** The last verdicts and the audit log, as CSV. */
export function formatSummary(headroom: Headroom): string {
  const verdicts = headroom.verdicts().map((v) => {
    const { operation, context, phase } = v.series;
    const series = phase === '' ? `${operation}/${context}` : `${operation}/${context}/${phase}`;
    const fields = [series, v.status, v.percentile, v.observedMs.toFixed(1), v.budgetMs, v.ratio.toFixed(2)];
    return [...fields, v.samples].join(',');
  });
  const audit = headroom.auditLog.toCSV().trimEnd().split('\r\n');
  return [
    '',
    `Final level: ${headroom.level}`,
    'Last verdicts (CSV):',
    'series,status,percentile,observed_ms,budget_ms,ratio,samples',
    ...verdicts,
    '',
    'Audit log (CSV):',
    ...audit,
    '',
  ].join('\n');
}
