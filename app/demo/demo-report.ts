/**
 * What the demo prints: a header, one line per degradation decision, a status line every few
 * seconds, and a summary (the last verdicts and the audit log, as CSV). Pure formatting: every
 * function returns text, so the tests check the same lines the demo prints.
 */

import type { DegradationDecision, Verdict } from '../../agent/index.ts';
import { formatDuration } from '../../config/index.ts';
import type { EmbeddedHeadroom, MetricsEndpoint } from '../../instrumentation/index.ts';
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
 * // ' +12.0s  NONE -> MINIMAL  escalation: p95 of price-quote/emergency 61.2ms is 1.22x its 50ms budget for 2 ticks; off: recommendations'
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
              `${v.series.operation} ${v.percentile} ${formatDuration(Math.round(v.observedMs))}=${formatRatio(v.ratio)}`,
          )
          .join('  ');
  return `${formatOffset(atMs, startedMs)}  [${level}]  ${ratios}`;
}

export interface HeaderOptions {
  readonly configFile: string;
  readonly durationMs: number;
  readonly slowdown: Slowdown;
  /** Where the Prometheus endpoint serves; the header says where to look. */
  readonly metrics: MetricsEndpoint;
}

/** What the demo is about to do, with the budgets it will be judged against. */
export function formatHeader(headroom: EmbeddedHeadroom, options: HeaderOptions): string {
  const { durationMs, slowdown } = options;
  const seconds = formatDuration;
  const config = headroom.agent.config;
  const operations = DEMO_OPERATIONS.map((op) => {
    const budgetMs = headroom.agent.targets.baseBudgetMs(op.name, op.context);
    const percentile = config.contexts[op.context]?.percentile ?? 'p95';
    const rate = (op.runsPerStep * 1000) / STEP_MS;
    return `  ${op.name.padEnd(15)} ${op.context.padEnd(13)} budget ${budgetMs === undefined ? 'none' : formatDuration(budgetMs)} at ${percentile}, ${rate} runs/s`;
  });
  const slowed = (slowdown.contexts ?? ['emergency', 'routine']).join(' and ');
  const { recovery } = config.degradation;
  return [
    `Headroom demo: service ${headroom.service}, config ${options.configFile}, ${seconds(durationMs)}`,
    ...operations,
    `Timeline: traffic is normal for ${seconds(slowdown.startMs)}; from ${seconds(slowdown.startMs)} to ${seconds(slowdown.endMs)}`,
    `a slow dependency makes ${slowed} work ${slowdown.factor}x slower. Headroom escalates once the`,
    `budgets are violated for ${config.degradation.escalation.ticks} evaluations in a row, then recovers one level at a time once`,
    `latency has stayed ${Math.round(recovery.improvement * 100)}% under a level's threshold for ${seconds(recovery.sustainMs)}.`,
    'Lines with "->" are degradation decisions (time, from -> to, reason, why, features off);',
    'the others show the level and each p95 every 5s.',
    ...formatMetricsLines(options.metrics),
    '',
  ].join('\n');
}

/** Where to look at the metrics while the demo runs, or why they are not served. */
export function formatMetricsLines(metrics: MetricsEndpoint): string[] {
  if (metrics.url === undefined) {
    const why = metrics.error === undefined ? 'exporters.prometheus.enabled is false' : metrics.error.message;
    return [`Metrics: not served (${why}); set HEADROOM_DEMO_PORT to a free port, or 0 for any.`];
  }
  return [
    `Metrics: ${metrics.url} (what Prometheus scrapes from an embedded Headroom), e.g.`,
    `  curl -s ${metrics.url} | grep -E '^headroom_(degradation_level|budget_utilization_ratio)'`,
  ];
}

/** The last verdicts and the audit log, as CSV. */
export function formatSummary(headroom: EmbeddedHeadroom, startedMs: number): string {
  const verdicts = headroom.verdicts().map((v) => {
    const { operation, context, phase } = v.series;
    const series = phase === '' ? `${operation}/${context}` : `${operation}/${context}/${phase}`;
    const fields = [
      series,
      v.status,
      v.percentile,
      round(v.observedMs, 1),
      round(v.budgetMs, 1),
      round(v.ratio, 2),
    ];
    return [...fields, v.samples].join(',');
  });
  const audit = headroom.auditLog.entries().map((decision) => auditRow(decision, startedMs));
  return [
    '',
    `Final level: ${headroom.level}`,
    'Last verdicts (CSV):',
    'series,status,percentile,observed_ms,budget_ms,ratio,samples',
    ...verdicts,
    '',
    'Audit log (CSV; headroom.auditLog.toCSV() has every field at full precision):',
    'seq,at,from,to,reason,series,percentile,observed_ms,budget_ms,ratio,disabled,enabled',
    ...audit,
    '',
  ].join('\n');
}

/** `59.7`, `50`, `1.19`: at most `digits` decimals, no trailing zeros. */
function round(value: number, digits: number): string {
  return Number.isFinite(value) ? String(Number(value.toFixed(digits))) : String(value);
}

/** One decision, time and numbers as the lines above print them; no field holds a comma. */
function auditRow(decision: DegradationDecision, startedMs: number): string {
  const { evidence, actions } = decision;
  const series = evidence === undefined ? '' : `${evidence.series.operation}/${evidence.series.context}`;
  return [
    decision.seq,
    formatOffset(decision.at, startedMs).trim(),
    decision.from,
    decision.to,
    decision.reason,
    series + (evidence?.series.phase ? `/${evidence.series.phase}` : ''),
    evidence?.percentile ?? '',
    evidence === undefined ? '' : round(evidence.observedMs, 1),
    evidence === undefined ? '' : round(evidence.budgetMs, 1),
    evidence === undefined ? '' : round(evidence.ratio, 2),
    actions.disabled.join(';'),
    actions.enabled.join(';'),
  ].join(',');
}
