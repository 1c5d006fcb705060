// Latency charts drawn with uPlot (served from the package, /ui/vendor/): a sparkline of p95
// against the budget on the overview, and p50/p95/p99 with the budget on a service page. Lines
// differ by width and dash as well as colour; missing points (null) are gaps.

import { formatMs } from './format.js';

/** Each line: colour, width, dash (px); the legend draws the same styles. */
export const LINES = {
  p50: { label: 'p50', stroke: '#4a7fc1', width: 1, dash: undefined },
  p95: { label: 'p95', stroke: '#1d4f91', width: 2.5, dash: undefined },
  p99: { label: 'p99', stroke: '#6b2f8f', width: 1.5, dash: [2, 3] },
  budgetMs: { label: 'budget', stroke: '#b3261e', width: 1.5, dash: [8, 4] },
};

function series(name) {
  const line = LINES[name];
  return { label: line.label, stroke: line.stroke, width: line.width, dash: line.dash, spanGaps: false };
}

/** The x range: the history's length ending at its last point (a fixed window, not fitted to the data). */
function xRange(lengthMs) {
  return (_u, min, max) => (max === null || max === undefined ? [min, max] : [max - lengthMs, max]);
}

/** uPlot's data from a history: `[atMs, ...lines]`. */
function data(history, names) {
  return [history.atMs, ...names.map((name) => history[name])];
}

/**
 * A sparkline of the judged percentile (p95 unless said) and the budget, 120 x 32 px, without axes, cursor or legend.
 * @param {HTMLElement} container
 * @param {number} lengthMs the history's length
 * @returns {{ update(history: any, percentile?: string): void, destroy(): void }}
 */
export function sparkline(container, lengthMs) {
  const names = ['p95', 'budgetMs'];
  const plot = new globalThis.uPlot(
    {
      width: 120,
      height: 32,
      ms: 1,
      pxAlign: false,
      cursor: { show: false },
      select: { show: false },
      legend: { show: false },
      scales: {
        x: { time: true, range: xRange(lengthMs) },
        y: { range: (_u, _min, max) => [0, Math.max(1, max ?? 1) * 1.1] },
      },
      axes: [{ show: false }, { show: false }],
      series: [{}, ...names.map(series)],
    },
    [[], [], []],
    container,
  );
  return {
    update: (history, percentile = 'p95') =>
      plot.setData(data(history, [percentile in LINES ? percentile : 'p95', 'budgetMs'])),
    destroy: () => plot.destroy(),
  };
}

/**
 * A chart of p50, p95 and p99 against the budget over the history's length, as wide as its container.
 * @param {HTMLElement} container
 * @param {number} lengthMs the history's length
 * @returns {{ update(history: any): void, destroy(): void }}
 */
export function latencyChart(container, lengthMs) {
  const names = ['p50', 'p95', 'p99', 'budgetMs'];
  const size = () => ({ width: Math.max(200, container.clientWidth), height: 180 });
  const plot = new globalThis.uPlot(
    {
      ...size(),
      ms: 1,
      cursor: { drag: { x: false, y: false } },
      select: { show: false },
      legend: { show: false },
      scales: {
        x: { time: true, range: xRange(lengthMs) },
        y: { range: (_u, _min, max) => [0, Math.max(1, max ?? 1) * 1.1] },
      },
      axes: [
        { stroke: '#333' },
        { stroke: '#333', size: 64, values: (_u, ticks) => ticks.map((v) => formatMs(v)) },
      ],
      series: [{}, ...names.map(series)],
    },
    [[], [], [], [], []],
    container,
  );
  const observer = new ResizeObserver(() => plot.setSize(size()));
  observer.observe(container);
  return {
    update: (history) => plot.setData(data(history, names)),
    destroy: () => {
      observer.disconnect();
      plot.destroy();
    },
  };
}
