/**
 * Latency panels: p50/p95/p99 from the duration histogram against the effective budget (one panel
 * per selected context), the duration heatmap, and budget utilization.
 */
import { METRICS } from '../metrics/index.ts';
import { redLineAt, TIMESERIES_OPTIONS } from './panel-options.ts';
import { DURATION, RATE_WINDOW, target, targets, WHOLE_OPERATIONS } from './promql.ts';
import type { PanelSpec, Section } from './types.ts';

const QUANTILES = [0.5, 0.95, 0.99] as const;

/** Budget lines drawn dashed, in red, under every series whose name ends in "budget". */
const BUDGET_OVERRIDE = {
  matcher: { id: 'byRegexp', options: '.*budget$' },
  properties: [
    { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
    { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } },
  ],
};

function quantilesVsBudget(): PanelSpec {
  const bucketRate = `sum by (service, le) (rate(${DURATION}_bucket{${WHOLE_OPERATIONS}}${RATE_WINDOW}))`;
  const quantiles = QUANTILES.map((q, index) =>
    target(index, `histogram_quantile(${q}, ${bucketRate})`, `{{service}} p${q * 100}`),
  );
  const budget = target(
    QUANTILES.length,
    `max by (service) (${METRICS.budget.name}{${WHOLE_OPERATIONS}})`,
    '{{service}} budget',
  );
  return {
    type: 'timeseries',
    title: 'Latency vs budget: $context',
    description:
      'p50, p95 and p99 of whole operations, from the duration histogram (exact at the budget, which is a bucket boundary), against the effective budget (adaptive scaling included).',
    // A full-width line of its own: Grafana splits it among the repeated contexts.
    size: { w: 24, h: 8 },
    repeat: 'context',
    targets: [...quantiles, budget],
    fieldConfig: { defaults: { unit: 's', min: 0 }, overrides: [BUDGET_OVERRIDE] },
    options: TIMESERIES_OPTIONS,
  };
}

function durationHeatmap(): PanelSpec {
  return {
    type: 'heatmap',
    title: 'Duration distribution',
    description: 'Whole operations per histogram bucket; the budgets are bucket boundaries.',
    size: { w: 12, h: 8 },
    targets: [
      target(0, `sum by (le) (increase(${DURATION}_bucket{${WHOLE_OPERATIONS}}${RATE_WINDOW}))`, '{{le}}', {
        format: 'heatmap',
      }),
    ],
    fieldConfig: { defaults: {} },
    options: {
      calculate: false,
      yAxis: { unit: 's' },
      cellGap: 1,
      color: { mode: 'scheme', scheme: 'Oranges', steps: 64 },
      tooltip: { show: true, yHistogram: true },
    },
  };
}

function utilization(): PanelSpec {
  return {
    type: 'timeseries',
    title: 'Budget utilization',
    description:
      "The agent's own percentile estimate (at the percentile each context is judged at) divided by the effective budget; above 1 is a violation.",
    size: { w: 12, h: 8 },
    targets: targets([
      `max by (service, context) (${METRICS.budgetUtilization.name}{${WHOLE_OPERATIONS}})`,
      '{{service}} {{context}}',
    ]),
    fieldConfig: redLineAt('percentunit', 1),
    options: TIMESERIES_OPTIONS,
  };
}

/** The "Latency" section. */
export function latencySection(): Section {
  return { title: 'Latency', panels: [quantilesVsBudget(), durationHeatmap(), utilization()] };
}
