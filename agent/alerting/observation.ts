/** What a rule reports about one alert instance at one evaluation, before lifecycle and cooldown. */
import type { ResolvedConfig } from '../../config/index.ts';
import type { AlertSeverity } from './types.ts';

/** A configured alert rule (any kind). */
export type AlertRule = ResolvedConfig['alerting']['rules'][number];

/** The configured rule of one kind. */
export type RuleOf<K extends AlertRule['kind']> = Extract<AlertRule, { kind: K }>;

/** One instance of a rule as seen now. */
export interface Observation {
  /** The labels telling instances apart (`service`, `context`, `operation`, `slo`), without `alertname`/`severity`. */
  readonly labels: Readonly<Record<string, string>>;
  /** The severity the condition calls for now; `undefined` when it does not hold. */
  readonly severity: AlertSeverity | undefined;
  /** The measured value (ms, ratio, burn rate, level index). */
  readonly value: number;
  /** One line for humans, with the numbers. */
  readonly summary: string;
  /** The numbers and the thresholds they were compared with. */
  readonly description: string;
  /** The live view's page of the service (annotation `headroom_url`); absent without `ui.externalUrl`. */
  readonly headroomUrl?: string;
}
