/**
 * The PromQL pieces every panel shares: the dashboard variables as label matchers, the metric
 * names Headroom exports, and a target builder.
 */
import { METRICS } from '../metrics/index.ts';
import type { DataSourceRef, PrometheusTarget } from './types.ts';

/** The panels' data source: the dashboard's `datasource` variable. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template literal.
export const DATASOURCE: DataSourceRef = Object.freeze({ type: 'prometheus', uid: '${datasource}' });

/** Grafana's rate window: at least four scrape intervals, so rate() always has two samples. */
export const RATE_WINDOW = '[$__rate_interval]';

/** The selected services, and the selected services' whole operations in the selected contexts. */
export const BY_SERVICE = 'service=~"$service"';
export const WHOLE_OPERATIONS = `${BY_SERVICE},context=~"$context",phase=""`;

/** The histogram every latency panel reads; each configured budget is one of its `le` boundaries. */
export const DURATION = METRICS.operationDuration.name;

/** A Prometheus query on the dashboard's data source; refIds follow the order given (A, B, ...). */
export function target(
  index: number,
  expr: string,
  legendFormat: string,
  extra: Partial<PrometheusTarget> = {},
): PrometheusTarget {
  return { refId: String.fromCharCode(65 + index), datasource: DATASOURCE, expr, legendFormat, ...extra };
}

/** Targets A, B, ... from `[expr, legend]` pairs. */
export function targets(...queries: readonly (readonly [string, string])[]): PrometheusTarget[] {
  return queries.map(([expr, legend], index) => target(index, expr, legend));
}
