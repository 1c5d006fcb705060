/**
 * The multi-window, multi-burn-rate alerts of one SLO, as Sloth writes them: one `page` and one
 * `ticket` alert, each firing when either of its window pairs burns faster than the pair's factor
 * in both windows. No `for`: the long window already requires a sustained burn, the short one
 * lets the alert resolve soon after the burn stops.
 */
import {
  BURN_RATE_WINDOWS,
  type BurnRateWindow,
  type BurnSeverity,
  burnRateFactor,
} from './burn-rate-windows.ts';
import { promDuration, promNumber } from './promql.ts';
import { sliRecord } from './sli-rules.ts';
import { type SloTarget, slothSelector } from './slo-target.ts';
import type { AlertingRule, RuleGroup } from './types.ts';

const SEVERITIES: readonly BurnSeverity[] = ['page', 'ticket'];

/**
 * The group `sloth-slo-alerts-<sloth_id>`; with `externalUrl` (`ui.externalUrl`) each alert links
 * to its service's page of the live view (annotation `headroom_url`).
 */
export function alertGroup(target: SloTarget, externalUrl = ''): RuleGroup {
  return {
    name: `sloth-slo-alerts-${target.labels.sloth_id}`,
    rules: SEVERITIES.map((severity) => alertRule(target, severity, externalUrl)),
  };
}

/**
 * One label's value as a path segment of the live view, by the page's one rule
 * (view/static/format.js `servicePath`, agent/alerting/headroom-url.ts): a name that starts with
 * `_`, or is `.` or `..`, gets one more `_` in front, then it is percent-encoded as a path segment.
 * Go's `urlquery` (`url.QueryEscape`) leaves `_` and `.` as they are, so the prefix can be added
 * after it; it writes a space as `+` (query escaping; a literal `+` is already `%2B`), which in a
 * path is a plus, so `+` becomes `%20`.
 */
function segmentTemplate(label: string): string {
  return `{{ ${label} | urlquery | reReplaceAll "[+]" "%20" | reReplaceAll "^(_|[.][.]?$)" "_$1" }}`;
}

/**
 * `<externalUrl>/ui/services/<namespace>/<service>` as a Prometheus template over the alert's
 * labels, `_` standing for no namespace (the same link as headroomUrl() builds for the agent's own
 * alerts). `externalUrl` holds no `{{` (config/schema/ui.ts normalises it as a URL).
 */
function headroomUrlTemplate(externalUrl: string): string {
  const namespace = `{{ if $labels.service_namespace }}${segmentTemplate('$labels.service_namespace')}{{ else }}_{{ end }}`;
  return `${externalUrl}/ui/services/${namespace}/${segmentTemplate('$labels.service')}`;
}

function alertRule(target: SloTarget, severity: BurnSeverity, externalUrl: string): AlertingRule {
  const pairs = BURN_RATE_WINDOWS.filter((window) => window.severity === severity);
  return {
    alert: target.alertName,
    expr: pairs.map((window) => pairExpr(target, window)).join('\nor\n'),
    labels: { severity, sloth_severity: severity },
    annotations: {
      summary: `{{$labels.service}} spends the error budget of SLO ${target.slo.name} too fast (${describe(target)})`,
      title: `(${severity}) {{$labels.service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.`,
      ...(externalUrl === '' ? {} : { headroom_url: headroomUrlTemplate(externalUrl) }),
    },
  };
}

/**
 * Both windows above the threshold. `max ... without (sloth_window)` drops the window label, so
 * the alert keeps one identity whichever pair fires.
 */
function pairExpr(target: SloTarget, window: BurnRateWindow): string {
  const threshold = `(${promNumber(burnRateFactor(target.slo.windowMs, window))} * ${promNumber(target.errorBudget)})`;
  const above = (windowMs: number) =>
    `max(${sliRecord(windowMs)}${slothSelector(target)} > ${threshold}) without (sloth_window)`;
  return `(\n  ${above(window.shortWindowMs)}\n  and\n  ${above(window.longWindowMs)}\n)`;
}

function describe(target: SloTarget): string {
  const { slo } = target;
  const what = [slo.operation, slo.context].filter((part) => part !== undefined).join(' in ');
  return `${what}: ${promNumber(target.objective * 100)}% within budget and successful over ${promDuration(slo.windowMs)}`;
}
