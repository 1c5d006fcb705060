/**
 * SLO panels, read from the Sloth-style recording rules of `headroom rules`: the error budget left
 * in the SLO period, and how fast it burns now (5 minutes) and over the period.
 */

import { redLineAt, TIMESERIES_OPTIONS } from './panel-options.ts';
import { BY_SERVICE, targets } from './promql.ts';
import type { PanelSpec, Section } from './types.ts';

const LEGEND = '{{service}} {{sloth_slo}}';

function budgetRemaining(): PanelSpec {
  return {
    type: 'bargauge',
    title: 'Error budget remaining',
    description:
      'Share of the error budget left over the SLO period (slo:period_error_budget_remaining:ratio); below 0 the SLO is missed.',
    size: { w: 8, h: 8 },
    targets: targets([`slo:period_error_budget_remaining:ratio{${BY_SERVICE}}`, LEGEND]),
    fieldConfig: {
      defaults: {
        unit: 'percentunit',
        max: 1,
        thresholds: {
          mode: 'absolute',
          steps: [
            { color: 'red', value: null },
            { color: 'orange', value: 0 },
            { color: 'green', value: 0.25 },
          ],
        },
      },
    },
    options: {
      orientation: 'horizontal',
      displayMode: 'gradient',
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
    },
  };
}

function burnRates(): PanelSpec {
  return {
    type: 'timeseries',
    title: 'Error budget burn rate',
    description:
      'How many times faster than the SLO allows the error budget is spent: over the last 5 minutes (slo:current_burn_rate:ratio) and over the SLO period (slo:period_burn_rate:ratio). 1 spends the whole budget in exactly one period.',
    size: { w: 16, h: 8 },
    targets: targets(
      [`slo:current_burn_rate:ratio{${BY_SERVICE}}`, `${LEGEND} 5m`],
      [`slo:period_burn_rate:ratio{${BY_SERVICE}}`, `${LEGEND} period`],
    ),
    fieldConfig: redLineAt('none', 1),
    options: TIMESERIES_OPTIONS,
  };
}

/** The "SLOs" section. */
export function sloSection(): Section {
  return { title: 'SLOs', panels: [budgetRemaining(), burnRates()] };
}
