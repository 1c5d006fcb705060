// One row of the overview: one whole operation of a service. A row is kept across updates and
// touches the DOM only where what it shows changed (each cell remembers what it drew), and its
// sparkline exists only once the row has been on screen (an IntersectionObserver says so), so a
// thousand operations cost a thousand small rows, not a thousand charts redrawn at every step.

import { sparkline } from './charts.js';
import { h, replace } from './dom.js';
import { formatMs, formatPercent, serviceName, servicePath } from './format.js';
import { headroomBar, levelBadge } from './widgets.js';

/** What the sparkline shows of a history: its span, its newest point and the percentile drawn. */
function historyMark(history, percentile) {
  const last = history.atMs.length - 1;
  return `${history.atMs[0]}:${history.atMs[last]}:${last}:${history[percentile]?.[last]}:${history.budgetMs[last]}:${percentile}`;
}

/** A row of the overview; `tr` is its element. */
export class OverviewRow {
  /** @type {HTMLTableRowElement} */
  tr;
  #cells;
  #drawn = {};
  #trend;
  #spark = undefined;
  #lengthMs;
  #onScreen = false;
  #history = undefined;
  #percentile = 'p95';

  /**
   * @param {string} key the row's key (`data-key`)
   * @param {{ service: any, op: any }} row the service and operation it shows (their names never change)
   * @param {number} lengthMs the history's length (the sparkline's span)
   */
  constructor(key, { service, op }, lengthMs) {
    this.#lengthMs = lengthMs;
    // A break opportunity after the namespace: long names wrap there on a phone.
    const name = service.namespace === '' ? [] : [service.namespace, '/', h('wbr')];
    const operation = op
      ? [op.operation, ' ', h('span', { class: 'context' }, op.context)]
      : ['no judged operation yet'];
    this.#cells = {
      level: h('td', { class: 'col-level' }),
      latency: h('td', { class: 'col-latency' }),
      headroom: h('td', { class: 'col-headroom' }),
    };
    this.#trend = h('div', { class: 'spark', role: 'img' });
    this.tr = h(
      'tr',
      { 'data-key': key, 'data-service': serviceName(service), 'data-operation': op?.operation ?? '' },
      h(
        'th',
        { scope: 'row', class: 'col-name' },
        h('a', { class: 'service-link', href: servicePath(service) }, ...name, service.service),
        ' ',
        h('span', { class: 'operation' }, ...operation),
      ),
      this.#cells.level,
      this.#cells.latency,
      this.#cells.headroom,
      h('td', { class: 'col-trend' }, this.#trend),
    );
  }

  /** The element whose visibility decides whether the sparkline is drawn. */
  get trend() {
    return this.#trend;
  }

  /** Shows the row's current values; a cell whose text would not change is left alone. */
  update({ service, op }) {
    this.#cell('level', `${service.level}|${service.overridden}`, () =>
      levelBadge(service.level, service.overridden),
    );
    if (op === undefined) {
      this.#cell('latency', '', () => '—');
      this.#cell('headroom', '', () => '—');
      this.#label('no history yet');
      return;
    }
    const latency = op.latencyMs ?? {};
    const pcts = `p50 ${formatMs(latency.p50)} · p95 ${formatMs(latency.p95)} · p99 ${formatMs(latency.p99)}`;
    const budget = `budget ${op.percentile ?? ''} ${formatMs(op.budgetMs)}`;
    this.#cell('latency', `${pcts}|${budget}`, () => [
      h('span', { class: 'pcts' }, pcts),
      ' ',
      h('span', { class: 'budget' }, budget),
    ]);
    const percentile = op.percentile ?? 'p95';
    const compact = `${percentile} ${formatMs(op.observedMs)} of ${formatMs(op.budgetMs)}`;
    this.#cell('headroom', `${op.headroom}|${op.status}|${compact}`, () => [
      headroomBar(op.headroom, op.status),
      ' ',
      h('span', { class: 'compact' }, compact),
    ]);
    this.#label(
      `${percentile} ${formatMs(op.observedMs)} against a budget of ${formatMs(op.budgetMs)}, headroom ${formatPercent(op.headroom)}`,
    );
    this.#history = op.history;
    this.#percentile = percentile;
    this.#drawSpark();
  }

  /** Called with whether the row is on screen: the sparkline is made (and kept current) once it is. */
  visible(onScreen) {
    this.#onScreen = onScreen;
    this.#drawSpark();
  }

  /** Stops the sparkline. */
  destroy() {
    this.#spark?.destroy();
    this.#spark = undefined;
  }

  #cell(name, mark, children) {
    if (this.#drawn[name] === mark) return;
    this.#drawn[name] = mark;
    const made = children();
    replace(this.#cells[name], ...(Array.isArray(made) ? made : [made]));
  }

  #label(text) {
    if (this.#drawn.label === text) return;
    this.#drawn.label = text;
    this.#trend.setAttribute('aria-label', text);
  }

  #drawSpark() {
    if (!this.#onScreen || this.#history === undefined) return;
    const mark = historyMark(this.#history, this.#percentile);
    if (this.#drawn.spark === mark) return;
    this.#drawn.spark = mark;
    this.#spark ??= sparkline(this.#trend, this.#lengthMs);
    this.#spark.update(this.#history, this.#percentile);
  }
}
