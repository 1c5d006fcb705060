/**
 * Degradation panels: each service's level now and over time, shown by name (NONE to CRITICAL),
 * and the decisions that moved it.
 */
import { DEGRADATION_LEVELS } from '../../agent/index.ts';
import { METRICS } from '../metrics/index.ts';
import { BY_SERVICE, RATE_WINDOW, targets } from './promql.ts';
import type { PanelSpec, Section } from './types.ts';

const LEVEL_COLORS = ['green', 'yellow', 'orange', 'red', 'dark-red'] as const;

/** Grafana value mappings 0 -> NONE ... 4 -> CRITICAL, each with its colour. */
function levelMappings(): unknown[] {
  const options = Object.fromEntries(
    DEGRADATION_LEVELS.map((name, index) => [
      String(index),
      { text: name, color: LEVEL_COLORS[index] ?? 'dark-red', index },
    ]),
  );
  return [{ type: 'value', options }];
}

const LEVEL = `max by (service) (${METRICS.degradationLevel.name}{${BY_SERVICE}})`;

function levelNow(): PanelSpec {
  return {
    type: 'stat',
    title: 'Degradation level',
    size: { w: 6, h: 6 },
    targets: targets([LEVEL, '{{service}}']),
    fieldConfig: { defaults: { mappings: levelMappings(), min: 0, max: DEGRADATION_LEVELS.length - 1 } },
    options: {
      colorMode: 'background',
      graphMode: 'none',
      textMode: 'value_and_name',
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
    },
  };
}

function levelOverTime(): PanelSpec {
  return {
    type: 'state-timeline',
    title: 'Degradation over time',
    size: { w: 18, h: 6 },
    targets: targets([LEVEL, '{{service}}']),
    fieldConfig: { defaults: { mappings: levelMappings(), color: { mode: 'thresholds' } } },
    options: { showValue: 'auto', mergeValues: true, rowHeight: 0.8, legend: { showLegend: false } },
  };
}

function decisions(): PanelSpec {
  return {
    type: 'timeseries',
    title: 'Degradation decisions',
    description: 'Level changes, by origin and target level and reason.',
    size: { w: 24, h: 6 },
    targets: targets([
      `sum by (service, from, to, reason) (increase(${METRICS.degradationTransitions.name}{${BY_SERVICE}}${RATE_WINDOW}))`,
      '{{service}} {{from}} → {{to}} ({{reason}})',
    ]),
    fieldConfig: { defaults: { unit: 'short', min: 0, custom: { drawStyle: 'bars', fillOpacity: 80 } } },
    options: { legend: { displayMode: 'list', placement: 'right' }, tooltip: { mode: 'multi' } },
  };
}

/** The "Degradation" section. */
export function degradationSection(): Section {
  return { title: 'Degradation', panels: [levelNow(), levelOverTime(), decisions()] };
}
