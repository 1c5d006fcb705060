/** Traffic panels: whole operations and failed ones per second, and the share that failed. */
import { METRICS } from '../metrics/index.ts';
import { TIMESERIES_OPTIONS } from './panel-options.ts';
import { RATE_WINDOW, targets, WHOLE_OPERATIONS } from './promql.ts';
import type { PanelSpec, Section } from './types.ts';

const rate = (metric: string) =>
  `sum by (service, context) (rate(${metric}{${WHOLE_OPERATIONS}}${RATE_WINDOW}))`;
const OPERATIONS = rate(METRICS.operations.name);
const ERRORS = rate(METRICS.operationErrors.name);

function throughput(): PanelSpec {
  return {
    type: 'timeseries',
    title: 'Operations and errors',
    size: { w: 12, h: 8 },
    targets: targets([OPERATIONS, '{{service}} {{context}}'], [ERRORS, '{{service}} {{context}} errors']),
    fieldConfig: { defaults: { unit: 'ops', min: 0 } },
    options: TIMESERIES_OPTIONS,
  };
}

function errorRatio(): PanelSpec {
  return {
    type: 'timeseries',
    title: 'Error ratio',
    size: { w: 12, h: 8 },
    targets: targets([`${ERRORS}\n/\n${OPERATIONS}`, '{{service}} {{context}}']),
    fieldConfig: { defaults: { unit: 'percentunit', min: 0 } },
    options: TIMESERIES_OPTIONS,
  };
}

/** The "Traffic" section. */
export function trafficSection(): Section {
  return { title: 'Traffic', panels: [throughput(), errorRatio()] };
}
