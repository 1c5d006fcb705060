/** Panel settings several sections share. */

/** Legend below, tooltip with every series, largest first: the timeseries panels' options. */
export const TIMESERIES_OPTIONS = Object.freeze({
  legend: { displayMode: 'list', placement: 'bottom' },
  tooltip: { mode: 'multi', sort: 'desc' },
});

/** Field defaults in `unit` from 0, with a red threshold line at `redAt` (1 = budget, 1x burn). */
export function redLineAt(unit: string, redAt: number) {
  return {
    defaults: {
      unit,
      min: 0,
      thresholds: {
        mode: 'absolute',
        steps: [
          { color: 'green', value: null },
          { color: 'red', value: redAt },
        ],
      },
      custom: { thresholdsStyle: { mode: 'line' } },
    },
  };
}
