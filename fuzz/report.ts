/** The fuzzer's summary: figures first, then every crash and hang with how to replay it. */
import type { ResolvedConfig } from '../config/index.ts';
import type { Finding, FuzzReport } from './fuzz-run.ts';

const MIB = 2 ** 20;
const MAX_LISTED = 20;

/** Highest peak RSS a run may reach: `receiver.maxMemory` + 64 MiB, bytes. */
export function rssLimitBytes(config: ResolvedConfig): number {
  return config.receiver.maxMemoryBytes + 64 * MIB;
}

/** The report as text. */
export function formatReport(report: FuzzReport, limitBytes: number): string {
  const mib = (bytes: number) => `${(bytes / MIB).toFixed(0)} MiB`;
  const statuses = Object.entries(report.statuses)
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
  const lines = [
    `seed:        ${report.seed}`,
    `cases:       ${report.cases}`,
    `crashes:     ${report.crashes.length}`,
    `hangs:       ${report.hangs.length}`,
    `peak RSS:    receiver ${mib(report.peakRssBytes.receiver)}, fuzzer ${mib(report.peakRssBytes.fuzzer)} (limit ${mib(limitBytes)})`,
    `duration:    ${(report.durationMs / 1000).toFixed(1)} s`,
    `retries:     ${report.stallRetries} (requests that failed while the fuzzer itself stalled, sent again)`,
    `HTTP status: ${statuses || 'none'}`,
  ];
  for (const [title, findings] of [
    ['crashes', report.crashes],
    ['hangs', report.hangs],
  ] as const) {
    if (findings.length === 0) continue;
    lines.push('', `${title} (replay: npm run fuzz -- --seed ${report.seed} --only ${indexes(findings)}):`);
    for (const finding of findings.slice(0, MAX_LISTED)) lines.push(formatFinding(finding));
    if (findings.length > MAX_LISTED) lines.push(`  ... and ${findings.length - MAX_LISTED} more`);
  }
  return lines.join('\n');
}

function indexes(findings: readonly Finding[]): string {
  return [...new Set(findings.map((finding) => finding.index))].slice(0, MAX_LISTED).join(',');
}

function formatFinding(finding: Finding): string {
  return `  #${finding.index} [${finding.target}] ${finding.name}\n    ${finding.detail.replaceAll('\n', '\n    ')}`;
}
