/**
 * The lifecycle of one alert instance (a rule and its identity labels): it fires once when its
 * condition starts holding, changes severity by resolving the old alert and firing the new one
 * (receivers such as Alertmanager key alerts on every label, `severity` included), resolves with
 * `endsAt` when the condition clears, then stays quiet for the rule's cooldown.
 */
import type { AlertInstanceState } from './alert-instance-state.ts';
import { formatSpan } from './format.ts';
import { alertLabels, canonicalLabels } from './labels.ts';
import type { AlertRule, Observation } from './observation.ts';
import type { AlertEvent, AlertSeverity } from './types.ts';

/** What a lasting alert escalates to after `escalateAfter`. */
const ESCALATED: Partial<Record<AlertSeverity, AlertSeverity>> = { warning: 'critical', ticket: 'page' };

/** The identity of an instance: its labels without `severity`. */
export function instanceKey(rule: AlertRule, labels: Readonly<Record<string, string>>): string {
  return canonicalLabels(alertLabels(rule, labels));
}

export class AlertInstance {
  readonly key: string;
  /** The rule as last evaluated (kept so an instance of a removed rule can still resolve). */
  rule: AlertRule;
  #firing: AlertEvent | undefined;
  /** When the current firing episode began (severity changes keep it), ms. */
  #episodeStartMs = 0;
  /** No new firing before this time (cooldown), ms. */
  #quietUntilMs = -Infinity;

  constructor(key: string, rule: AlertRule) {
    this.key = key;
    this.rule = rule;
  }

  /** The firing alert, if any. */
  get firing(): AlertEvent | undefined {
    return this.#firing;
  }

  /** The instance as plain data (see `AlertInstanceState`). */
  export(): AlertInstanceState {
    const quietUntilMs = Number.isFinite(this.#quietUntilMs) ? this.#quietUntilMs : null;
    const { key, rule } = this;
    return { key, rule, firing: this.#firing ?? null, episodeStartMs: this.#episodeStartMs, quietUntilMs };
  }

  /** Takes back an exported (and checked) state into this new instance. */
  restore(state: AlertInstanceState): void {
    this.#firing = state.firing ?? undefined;
    this.#episodeStartMs = state.episodeStartMs;
    this.#quietUntilMs = state.quietUntilMs ?? -Infinity;
  }

  /** Neither firing nor cooling down at `atMs`: nothing is lost by forgetting it. */
  isIdle(atMs: number): boolean {
    return this.#firing === undefined && atMs >= this.#quietUntilMs;
  }

  /**
   * Applies this evaluation's observation (`undefined`: the instance was not seen, e.g. no data)
   * and returns the events it causes, in order: none, one, or a resolution and a firing.
   */
  update(observation: Observation | undefined, atMs: number): AlertEvent[] {
    if (observation?.severity === undefined) return this.#clear(observation, atMs);
    const wanted = observation.severity;
    if (this.#firing === undefined) {
      // Cooldown: the instance resolved recently; it fires again once the cooldown has passed.
      if (atMs < this.#quietUntilMs) return [];
      this.#episodeStartMs = atMs;
      this.#firing = this.#fire(observation, wanted, atMs, atMs);
      return [this.#firing];
    }
    const severity = this.#escalated(wanted, atMs);
    if (severity === this.#firing.severity) {
      // Same alert: keep the numbers current (for re-sends) without an event.
      this.#firing = this.#fire(observation, wanted, this.#firing.startsAt, atMs);
      return [];
    }
    const resolved = this.#resolved(this.#firing, observation, atMs, severity);
    this.#firing = this.#fire(observation, wanted, atMs, atMs);
    return [resolved, this.#firing];
  }

  #clear(observation: Observation | undefined, atMs: number): AlertEvent[] {
    if (this.#firing === undefined) return [];
    const resolved = this.#resolved(this.#firing, observation, atMs);
    this.#firing = undefined;
    this.#quietUntilMs = atMs + this.rule.cooldownMs;
    return [resolved];
  }

  #escalated(severity: AlertSeverity, atMs: number): AlertSeverity {
    const afterMs = this.rule.escalateAfterMs;
    if (afterMs === undefined || atMs - this.#episodeStartMs < afterMs) return severity;
    return ESCALATED[severity] ?? severity;
  }

  #fire(observation: Observation, wanted: AlertSeverity, startsAt: number, atMs: number): AlertEvent {
    const severity = this.#escalated(wanted, atMs);
    const labels = alertLabels(this.rule, observation.labels, severity);
    let description = observation.description;
    if (severity !== wanted) {
      const forMs = formatSpan(atMs - this.#episodeStartMs);
      const afterMs = formatSpan(this.rule.escalateAfterMs as number);
      description += ` Escalated from ${wanted} to ${severity}: firing for ${forMs} (escalateAfter ${afterMs}).`;
    }
    return {
      status: 'firing',
      fingerprint: canonicalLabels(labels),
      instance: this.key,
      rule: this.rule.name,
      kind: this.rule.kind,
      severity,
      labels,
      annotations: annotationsOf(observation, description),
      startsAt,
      value: observation.value,
      ...(this.rule.channels === undefined ? {} : { channels: this.rule.channels }),
    };
  }

  /**
   * The resolution of `firing`, with the numbers seen now (the last ones when there is no data);
   * `replacedBy` when it resolves because the instance changed severity.
   */
  #resolved(
    firing: AlertEvent,
    observation: Observation | undefined,
    atMs: number,
    replacedBy?: AlertSeverity,
  ): AlertEvent {
    let annotations = firing.annotations;
    if (observation !== undefined) {
      const replaced = replacedBy === undefined ? '' : ` Replaced by the ${replacedBy} alert.`;
      annotations = annotationsOf(observation, observation.description + replaced);
    }
    return {
      ...firing,
      status: 'resolved',
      annotations,
      endsAt: atMs,
      value: observation?.value ?? firing.value,
    };
  }
}

/** `summary`, `description` and, when the view's external URL is set, `headroom_url`. */
function annotationsOf(observation: Observation, description: string): Record<string, string> {
  const { summary, headroomUrl } = observation;
  return headroomUrl === undefined
    ? { summary, description }
    : { summary, description, headroom_url: headroomUrl };
}
