/** Alert labels and their canonical form, the alert's identity. */
import type { AlertRule } from './observation.ts';
import type { AlertSeverity } from './types.ts';

/**
 * A label set in canonical form: sorted keys, JSON-quoted values.
 * @example canonicalLabels({ severity: 'page', alertname: 'burn' }) // '{alertname="burn",severity="page"}'
 */
export function canonicalLabels(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((key) => `${key}=${JSON.stringify(labels[key])}`);
  return `{${pairs.join(',')}}`;
}

/**
 * The labels of an alert: the rule's own labels, then the instance's, then `alertname` and
 * `severity` (left out when `severity` is omitted: the instance's identity), which the rule's
 * labels cannot set. Keys sorted.
 */
export function alertLabels(
  rule: AlertRule,
  instance: Readonly<Record<string, string>>,
  severity?: AlertSeverity,
): Record<string, string> {
  const all: Record<string, string> = { ...rule.labels, ...instance, alertname: rule.name };
  delete all.severity;
  if (severity !== undefined) all.severity = severity;
  const sorted: Record<string, string> = {};
  for (const key of Object.keys(all).sort()) sorted[key] = all[key] as string;
  return sorted;
}
