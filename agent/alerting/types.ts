/**
 * The contract between alert evaluation (agent/alerting) and the channels that deliver alerts
 * (exporters/alerts), and what evaluation reads from the agent each tick.
 */
import type { SeriesKey, Verdict } from '../budget/types.ts';
import type { DegradationLevel } from '../degradation/levels.ts';
import type { ServiceId } from '../service-id.ts';
import type { WindowSnapshot } from '../window/types.ts';

export type AlertSeverity = 'warning' | 'critical' | 'page' | 'ticket';

/** An alert's lifecycle event: it starts firing (or escalates), or it resolves. */
export interface AlertEvent {
  /** `firing` when it starts or its severity changes; `resolved` once its condition has cleared. */
  readonly status: 'firing' | 'resolved';
  /**
   * Stable identity of the alert instance: rule name + the labels below, as the canonical label
   * set `{alertname="...",service="...",severity="warning"}` (sorted keys, JSON-quoted values).
   * Includes `severity`, as Alertmanager's identity does: an escalation is another alert.
   */
  readonly fingerprint: string;
  /**
   * The same without `severity`: shared by the warning and the critical (or ticket and page)
   * alerts of one instance, so a receiver can tie an escalation to what it replaces.
   * Always set by the evaluator.
   */
  readonly instance?: string;
  /** The rule's name (becomes `alertname`). */
  readonly rule: string;
  readonly kind: 'percentile' | 'errorRate' | 'burnRate' | 'degradation';
  readonly severity: AlertSeverity;
  /**
   * Labels identifying the instance: always `alertname`, `severity`; `service` (with
   * `service_namespace` when the service has one), `context`, `slo`... as they apply.
   */
  readonly labels: Readonly<Record<string, string>>;
  /** `summary` and `description` for humans, with the numbers. */
  readonly annotations: Readonly<Record<string, string>>;
  /** When the alert started firing, ms since the epoch. */
  readonly startsAt: number;
  /** When it resolved, ms since the epoch (only on `resolved`). */
  readonly endsAt?: number;
  /** The value that triggered it (ratio, rate, burn rate, level index). */
  readonly value: number;
  /** Names of the channels to deliver to; all configured channels when undefined. */
  readonly channels?: readonly string[];
}

/** Receives alert events; implementations never throw into the agent. */
export type AlertListener = (event: AlertEvent) => void;

/** A series as alert evaluation reads it: its key and its sliding window (a registry `Series` fits). */
export interface AlertSeries extends SeriesKey {
  readonly window: { snapshot(nowMs: number): WindowSnapshot };
}

/** What one evaluation reads: a tick's verdicts and the agent's state at that time. */
export interface AlertTick {
  /** Evaluation time, ms since the epoch. @default the evaluator's clock */
  readonly at?: number;
  /** The tick's verdicts (a percentile rule reads them before querying windows). */
  readonly verdicts: readonly Verdict[];
  /** Every series (phases included; rules use the phase-less ones). */
  readonly series: readonly AlertSeries[];
  /** The degradation level of each service. */
  readonly levels: readonly ServiceLevel[];
}

/** One service's degradation level, as alert evaluation reads it. */
export interface ServiceLevel extends ServiceId {
  readonly level: DegradationLevel;
}
