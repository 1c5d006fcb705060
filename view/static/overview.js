// The overview (/ui/): every whole operation of every service the token sees, least headroom
// first, in a real table. Rows are kept across updates (keyed by service and operation) so that
// keyboard focus and the sparklines survive a live update.

import { sparkline } from './charts.js';
import { h, replace } from './dom.js';
import { formatMs, formatPercent, serviceName, servicePath } from './format.js';
import { headroomBar, levelBadge } from './widgets.js';

const COLUMNS = [
  ['Service and operation', 'col-name'],
  ['Level', 'col-level'],
  ['Latency against budget', 'col-latency'],
  ['Headroom', 'col-headroom'],
  ['Last 15 min', 'col-trend'],
];

/** The overview, drawn into `root`; `update(store)` redraws it from the store. */
export class Overview {
  #rows = new Map();
  #tbody;
  #summary;
  #empty;
  #lengthMs = 0;

  /** @param {HTMLElement} root */
  constructor(root) {
    this.#summary = h('p', { class: 'summary', id: 'overview-summary' });
    this.#empty = h(
      'p',
      { class: 'empty' },
      'No services yet: a service shows here once its first spans arrive.',
    );
    this.#tbody = h('tbody');
    const head = h('tr', {}, ...COLUMNS.map(([label, cls]) => h('th', { scope: 'col', class: cls }, label)));
    const table = h(
      'table',
      { class: 'overview', 'aria-describedby': 'overview-summary' },
      h('caption', { class: 'visually-hidden' }, 'Operations by remaining headroom, least first'),
      h('thead', {}, head),
      this.#tbody,
    );
    replace(root, h('h1', { tabindex: '-1' }, 'Services by headroom'), this.#summary, this.#empty, table);
  }

  /** Redraws from `store` (a ViewStore). */
  update(store) {
    this.#lengthMs = store.view.lengthMs;
    const rows = store.rows();
    const services = new Set(rows.map((row) => row.service));
    this.#summary.textContent = `${rows.length} ${rows.length === 1 ? 'operation' : 'operations'} in ${services.size} ${services.size === 1 ? 'service' : 'services'}, least headroom first. Headroom is 1 − observed percentile ÷ effective budget; the last 15 min show the judged percentile against the budget (dashed).`;
    this.#empty.hidden = rows.length > 0;
    const focused = document.activeElement;
    const seen = new Set();
    let previous = null;
    for (const row of rows) {
      const key = `${row.service.namespace}\u0000${row.service.service}\u0000${row.op?.operation ?? ''}\u0000${row.op?.context ?? ''}`;
      seen.add(key);
      const drawn = this.#rows.get(key) ?? this.#create(key);
      this.#fill(drawn, row);
      const wanted = previous === null ? this.#tbody.firstChild : previous.nextSibling;
      if (wanted !== drawn.tr) this.#tbody.insertBefore(drawn.tr, wanted);
      previous = drawn.tr;
    }
    for (const [key, drawn] of this.#rows) {
      if (seen.has(key)) continue;
      drawn.spark.destroy();
      drawn.tr.remove();
      this.#rows.delete(key);
    }
    // Moving a row drops the focus of the link inside it; put it back.
    if (focused instanceof HTMLElement && focused !== document.activeElement && focused.isConnected)
      focused.focus({ preventScroll: true });
  }

  /** Stops the charts. */
  destroy() {
    for (const drawn of this.#rows.values()) drawn.spark.destroy();
    this.#rows.clear();
  }

  #create(key) {
    const link = h('a', { class: 'service-link' });
    const operation = h('span', { class: 'operation' });
    const level = h('td', { class: 'col-level' });
    const latency = h('td', { class: 'col-latency' });
    const headroom = h('td', { class: 'col-headroom' });
    const trendBox = h('div', { class: 'spark', role: 'img' });
    const tr = h(
      'tr',
      { 'data-key': key },
      h('th', { scope: 'row', class: 'col-name' }, link, ' ', operation),
      level,
      latency,
      headroom,
      h('td', { class: 'col-trend' }, trendBox),
    );
    const drawn = {
      tr,
      link,
      operation,
      level,
      latency,
      headroom,
      trendBox,
      spark: sparkline(trendBox, this.#lengthMs),
    };
    this.#rows.set(key, drawn);
    return drawn;
  }

  #fill(drawn, { service, op }) {
    drawn.tr.dataset.service = serviceName(service);
    drawn.tr.dataset.operation = op?.operation ?? '';
    drawn.link.href = servicePath(service);
    // A break opportunity after the namespace: long names wrap there on a phone.
    replace(
      drawn.link,
      ...(service.namespace === '' ? [] : [service.namespace, '/', h('wbr')]),
      service.service,
    );
    replace(
      drawn.operation,
      ...(op
        ? [op.operation, ' ', h('span', { class: 'context' }, op.context)]
        : ['no judged operation yet']),
    );
    replace(drawn.level, levelBadge(service.level, service.overridden));
    if (op === undefined) {
      replace(drawn.latency, '—');
      replace(drawn.headroom, '—');
      drawn.trendBox.setAttribute('aria-label', 'no history yet');
      return;
    }
    const latency = op.latencyMs ?? {};
    replace(
      drawn.latency,
      h(
        'span',
        { class: 'pcts' },
        `p50 ${formatMs(latency.p50)} · p95 ${formatMs(latency.p95)} · p99 ${formatMs(latency.p99)}`,
      ),
      ' ',
      h('span', { class: 'budget' }, `budget ${op.percentile ?? ''} ${formatMs(op.budgetMs)}`),
    );
    replace(
      drawn.headroom,
      headroomBar(op.headroom, op.status),
      ' ',
      h(
        'span',
        { class: 'compact' },
        `${op.percentile ?? 'p95'} ${formatMs(op.observedMs)} of ${formatMs(op.budgetMs)}`,
      ),
    );
    drawn.spark.update(op.history, op.percentile);
    drawn.trendBox.setAttribute(
      'aria-label',
      `${op.percentile ?? 'p95'} ${formatMs(op.observedMs)} against a budget of ${formatMs(op.budgetMs)}, headroom ${formatPercent(op.headroom)}`,
    );
  }
}
