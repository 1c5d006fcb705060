/**
 * The shape of a Prometheus rule file (`promtool check rules`), as plain data: what
 * {@link generateRules} returns and what the YAML serializer writes.
 */

/** A recording rule: `record` is the name of the series `expr` is stored as. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** An alerting rule. Burn-rate alerts carry no `for`: the windows already debounce them. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Rules Prometheus evaluates together, in order, at the group's interval. */
export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly (RecordingRule | AlertingRule)[];
}

/** A whole rule file. */
export interface RuleFile {
  readonly groups: readonly RuleGroup[];
}
