/**
 * The SLI recording rules of one SLO, named as Sloth names them: `slo:sli_error:ratio_rate<window>`,
 * bad events / events per service for every alert window and the SLO period, from the agent's own
 * event counters (`headroom_slo_events_total`), so the rules' SLI is the agent's: an operation is
 * bad when slower than its base budget or failed.
 *
 * Events over a window are summed, never averaged from shorter ratios: an idle window adds 0 events
 * instead of a 0/0 (Sloth issue 348). A window without any event has an SLI of 0, as in the agent.
 */
import { METRICS } from '../metrics/index.ts';
import { SLI_WINDOWS_MS } from './burn-rate-windows.ts';
import { promDuration } from './promql.ts';
import { type SloTarget, slothSelector } from './slo-target.ts';
import type { RecordingRule, RuleGroup } from './types.ts';

const EVENTS = METRICS.sloEvents.name;
const START = METRICS.sloEventsStartTime.name;

/** The name of the SLI recorded over `windowMs`: `slo:sli_error:ratio_rate5m`. */
export function sliRecord(windowMs: number): string {
  return `slo:sli_error:ratio_rate${promDuration(windowMs)}`;
}

/** The name of the events recorded over `windowMs`, by `outcome`: `slo:sli_events:increase5m`. */
function eventsRecord(windowMs: number): string {
  return `slo:sli_events:increase${promDuration(windowMs)}`;
}

/** The group `sloth-slo-sli-recordings-<sloth_id>`: every window's events, then its SLI. */
export function sliGroup(target: SloTarget): RuleGroup {
  const windows = SLI_WINDOWS_MS.includes(target.slo.windowMs)
    ? SLI_WINDOWS_MS
    : [...SLI_WINDOWS_MS, target.slo.windowMs];
  return {
    name: `sloth-slo-sli-recordings-${target.labels.sloth_id}`,
    rules: windows.flatMap((windowMs) => [eventsRule(target, windowMs), ratioRule(target, windowMs)]),
  };
}

/**
 * Events per service and outcome over the window: the counter's growth since `window` ago or,
 * for counters that started from 0 within the window (a new service, an agent restart), the
 * whole counter. Instant lookups only, however long the window: a 30-day period reads two samples
 * per series (Prometheus must keep the window: with a shorter retention the period has no value).
 */
function eventsRule(target: SloTarget, windowMs: number): RecordingRule {
  const selector = `{${target.eventsMatchers}}`;
  const started = `(${START}${selector} > time() - ${windowMs / 1000})`;
  return {
    record: eventsRecord(windowMs),
    expr: [
      'sum by (service_namespace, service, outcome) (',
      '  (',
      `    ${EVENTS}${selector} - ${EVENTS}${selector} offset ${promDuration(windowMs)}`,
      `    unless ignoring (outcome) ${started}`,
      '  )',
      '  or',
      `  (${EVENTS}${selector} and ignoring (outcome) ${started})`,
      ')',
    ].join('\n'),
    labels: { ...target.labels, sloth_window: promDuration(windowMs) },
  };
}

/** Bad events / events over the window; 0 without events. */
function ratioRule(target: SloTarget, windowMs: number): RecordingRule {
  const events = `${eventsRecord(windowMs)}${slothSelector(target)}`;
  const bad = `${eventsRecord(windowMs)}${slothSelector(target, { outcome: 'bad' })}`;
  const all = `sum without (outcome) (${events})`;
  return {
    record: sliRecord(windowMs),
    expr: [`sum without (outcome) (${bad})`, `/ (${all} > 0)`, `or ${all} * 0`].join('\n'),
    labels: { ...target.labels, sloth_window: promDuration(windowMs) },
  };
}
