// The overview (/ui/): whole operations of every service the token sees, least headroom first, in a
// real table. With many operations (window.maxSeries allows 1,000 and more) it shows the first
// ROWS_SHOWN and says how many there are, with a filter and "Show more" (as Pyrra's and Grafana's
// lists do: the few closest to their budget are what a person needs; the rest is a search away).
// Rows are kept across updates (keyed by service and operation), so keyboard focus and sparklines
// survive a live update, and an update touches only the cells that changed.

import { h } from './dom.js';
import { formatWindow, serviceName } from './format.js';
import { reorder } from './keyed.js';
import { OverviewRow } from './overview-row.js';

/** Rows shown before "Show more": the least headroom first. */
const ROWS_SHOWN = 100;

const COLUMNS = [
  ['Service and operation', 'col-name'],
  ['Level', 'col-level'],
  ['Latency against budget', 'col-latency'],
  ['Headroom', 'col-headroom'],
  [undefined, 'col-trend'],
];

function plural(count, word) {
  return `${count.toLocaleString('en')} ${count === 1 ? word : `${word}s`}`;
}

function rowKey({ service, op }) {
  return `${service.namespace}\u0000${service.service}\u0000${op?.operation ?? ''}\u0000${op?.context ?? ''}`;
}

/** Sets `element`'s text when it changed (a live update of the same text touches nothing). */
function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

/** The overview, drawn into `root`; `update(store)` redraws it from the store. */
export class Overview {
  #rows = new Map();
  #byTrend = new Map();
  #tbody;
  #summary;
  #empty;
  #shown;
  #more;
  #filter;
  #trendHead;
  #observer;
  #limit = ROWS_SHOWN;
  #store = undefined;

  /** @param {HTMLElement} root */
  constructor(root) {
    this.#summary = h('p', { class: 'summary', id: 'overview-summary' });
    this.#empty = h('p', { class: 'empty' });
    this.#filter = h('input', {
      id: 'overview-filter',
      type: 'search',
      autocomplete: 'off',
      spellcheck: 'false',
      placeholder: 'service or operation',
    });
    this.#filter.addEventListener('input', () => {
      this.#limit = ROWS_SHOWN;
      this.#redraw();
    });
    this.#shown = h('p', { class: 'shown', id: 'overview-shown' });
    this.#more = h('button', { type: 'button', class: 'more' });
    this.#more.addEventListener('click', () => {
      this.#limit += ROWS_SHOWN;
      this.#redraw();
    });
    this.#tbody = h('tbody');
    const head = h('tr', {}, ...COLUMNS.map(([label, cls]) => h('th', { scope: 'col', class: cls }, label)));
    this.#trendHead = head.lastChild;
    const table = h(
      'table',
      { class: 'overview', 'aria-describedby': 'overview-summary overview-shown' },
      h('caption', { class: 'visually-hidden' }, 'Operations by remaining headroom, least first'),
      h('thead', {}, head),
      this.#tbody,
    );
    const controls = h(
      'div',
      { class: 'controls', role: 'search' },
      h('label', { for: 'overview-filter' }, 'Filter'),
      this.#filter,
    );
    root.replaceChildren(
      h('h1', { tabindex: '-1' }, 'Services by headroom'),
      this.#summary,
      controls,
      this.#empty,
      table,
      h('div', { class: 'shown-row' }, this.#shown, this.#more),
    );
    // Sparklines are drawn for rows on screen only (and kept current while they are).
    this.#observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) this.#byTrend.get(entry.target)?.visible(entry.isIntersecting);
      },
      { rootMargin: '200px 0px' },
    );
  }

  /** Redraws from `store` (a ViewStore). */
  update(store) {
    this.#store = store;
    this.#redraw();
  }

  /** Stops the charts and the observer. */
  destroy() {
    this.#observer.disconnect();
    for (const row of this.#rows.values()) row.destroy();
    this.#rows.clear();
    this.#byTrend.clear();
  }

  #redraw() {
    const store = this.#store;
    if (store === undefined) return;
    const span = formatWindow(store.view.lengthMs);
    const all = store.rows();
    const services = new Set(all.map((row) => row.service));
    setText(this.#trendHead, `Last ${span}`);
    setText(
      this.#summary,
      `${plural(all.length, 'operation')} in ${plural(services.size, 'service')}, least headroom first. Headroom is 1 − observed percentile ÷ effective budget; the last ${span} show the judged percentile against the budget (dashed).`,
    );
    const query = this.#filter.value.trim().toLowerCase();
    const matching = query === '' ? all : all.filter((row) => this.#matches(row, query));
    const shown = matching.slice(0, this.#limit);
    this.#describe(all.length, matching.length, shown.length, query);
    this.#draw(shown, store.view.lengthMs);
  }

  #matches({ service, op }, query) {
    return `${serviceName(service)} ${op?.operation ?? ''} ${op?.context ?? ''}`
      .toLowerCase()
      .includes(query);
  }

  #describe(all, matching, shown, query) {
    this.#empty.hidden = matching > 0;
    setText(
      this.#empty,
      all === 0
        ? 'No services yet: a service shows here once its first spans arrive.'
        : `No operation matches “${query}”.`,
    );
    const of =
      query === '' ? plural(all, 'operation') : `${plural(matching, 'operation')} matching “${query}”`;
    setText(this.#shown, matching === 0 ? '' : `Showing ${shown.toLocaleString('en')} of ${of}.`);
    this.#shown.hidden = shown === all;
    this.#more.hidden = shown === matching;
    setText(this.#more, `Show ${Math.min(ROWS_SHOWN, matching - shown)} more`);
  }

  #draw(shown, lengthMs) {
    const focused = document.activeElement;
    const wanted = [];
    const keep = new Set();
    for (const row of shown) {
      const key = rowKey(row);
      let drawn = this.#rows.get(key);
      if (drawn === undefined) {
        drawn = new OverviewRow(key, row, lengthMs);
        this.#rows.set(key, drawn);
        this.#byTrend.set(drawn.trend, drawn);
        this.#observer.observe(drawn.trend);
      }
      drawn.update(row);
      keep.add(key);
      wanted.push(drawn.tr);
    }
    for (const [key, drawn] of this.#rows) {
      if (keep.has(key)) continue;
      this.#observer.unobserve(drawn.trend);
      this.#byTrend.delete(drawn.trend);
      drawn.destroy();
      drawn.tr.remove();
      this.#rows.delete(key);
    }
    reorder(this.#tbody, wanted);
    // Moving a row drops the focus of the link inside it; put it back.
    if (focused instanceof HTMLElement && focused !== document.activeElement && focused.isConnected)
      focused.focus({ preventScroll: true });
  }
}
