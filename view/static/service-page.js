// A service's page (/ui/services/<namespace>/<service>, `_` for the empty namespace): its level
// and why, the transitions, override and modifiers, SLO budget and burn rates, admission, and one
// chart per whole operation. The charts are kept across updates; the text is drawn again.

import { LINES, latencyChart } from './charts.js';
import { h, replace } from './dom.js';
import {
  formatAgo,
  formatMs,
  formatPercent,
  formatRatio,
  formatTime,
  formatWindow,
  serviceName,
} from './format.js';
import { headroomBar, levelBadge } from './widgets.js';

function when(atMs) {
  return h(
    'time',
    { datetime: new Date(atMs).toISOString() },
    `${formatTime(atMs)} (${formatAgo(atMs, Date.now())})`,
  );
}

function section(title, id, ...children) {
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

function state(service) {
  const override = service.override;
  const rows = [
    ['Level', levelBadge(service.level, service.overridden)],
    ['Since', service.since === null || service.since === undefined ? '—' : when(service.since)],
    [
      'Disabled features',
      service.disabledFeatures.length === 0 ? 'none' : service.disabledFeatures.join(', '),
    ],
    [
      'Override',
      override === null
        ? 'none'
        : [
            levelBadge(override.level),
            ` ${override.reason}`,
            override.untilMs === null ? ', until cleared' : [', until ', when(override.untilMs)],
          ],
    ],
    [
      'Modifiers',
      service.modifiers.length === 0
        ? 'none'
        : service.modifiers
            .map(
              (m) => `${m.name} ×${m.factor}${m.untilMs === null ? '' : ` until ${formatTime(m.untilMs)}`}`,
            )
            .join('; '),
    ],
  ];
  return h(
    'dl',
    { class: 'facts' },
    ...rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
  );
}

function timeline(service) {
  if (service.transitions.length === 0) return h('p', {}, 'No level changes in the kept history.');
  const items = [...service.transitions]
    .reverse()
    .map((t) =>
      h(
        'li',
        {},
        h('span', { class: 'when' }, when(t.atMs)),
        h('span', { class: 'change' }, levelBadge(t.from), ' → ', levelBadge(t.to)),
        h('span', { class: 'reason' }, t.reason),
        t.message ? h('span', { class: 'message-text' }, t.message) : null,
      ),
    );
  return h('ol', { class: 'timeline', reversed: true }, ...items);
}

function burn(rate) {
  const burning = rate.long > rate.threshold && rate.short > rate.threshold;
  return h(
    'li',
    { class: burning ? 'burning' : undefined },
    `${rate.severity}: ${formatWindow(rate.longWindowMs)} ${formatRatio(rate.long)}, ${formatWindow(rate.shortWindowMs)} ${formatRatio(rate.short)} (alert above ${formatRatio(rate.threshold)})`,
    burning ? h('strong', {}, ' — burning') : null,
  );
}

function slos(service) {
  if (service.slos.length === 0) return h('p', {}, 'No SLO covers this service.');
  const head = h(
    'tr',
    {},
    ...['SLO', 'Objective', 'Error budget left', 'Burn rates'].map((t) => h('th', { scope: 'col' }, t)),
  );
  const rows = service.slos.map((slo) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, slo.name),
      h('td', {}, `${formatPercent(slo.objective)} over ${formatWindow(slo.windowMs)}`),
      h('td', {}, formatPercent(slo.errorBudgetRemaining)),
      h('td', {}, h('ul', { class: 'plain' }, ...slo.burnRates.map(burn))),
    ),
  );
  return scrollTable('Service level objectives', head, rows);
}

function admission(service) {
  const admission = service.admission;
  if (admission === null || admission === undefined)
    return h('p', {}, 'Admission control does not cover this service.');
  if (!admission.enabled) return h('p', {}, 'Admission control is off: no request is shed.');
  const head = h(
    'tr',
    {},
    ...['Class', 'Rejected now', 'Range', 'Admitted', 'Rejected'].map((t) => h('th', { scope: 'col' }, t)),
  );
  const rows = Object.entries(admission.classes).map(([name, c]) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, name),
      h('td', {}, formatPercent(c.probability)),
      h('td', {}, `${formatPercent(c.minProbability)} – ${formatPercent(c.maxProbability)}`),
      h('td', {}, String(c.admitted ?? '—')),
      h('td', {}, String(c.rejected ?? '—')),
    ),
  );
  return scrollTable('Admission classes', head, rows);
}

/**
 * A table in a box that scrolls sideways on a narrow screen: the box takes keyboard focus and has a
 * name, so a keyboard user can scroll it too (WCAG 2.1.1; axe-core scrollable-region-focusable).
 */
function scrollTable(label, head, rows) {
  return h(
    'div',
    { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': label },
    h('table', { class: 'data' }, h('thead', {}, head), h('tbody', {}, ...rows)),
  );
}

function legend() {
  return h(
    'ul',
    { class: 'legend', 'aria-hidden': 'true' },
    ...Object.values(LINES).map((line) => {
      const sample = h('span', { class: `sample${line.dash ? ' dashed' : ''}` });
      sample.style.borderTopColor = line.stroke;
      sample.style.borderTopWidth = `${Math.ceil(line.width)}px`;
      if (line.dash && line.dash[0] < 4) sample.style.borderTopStyle = 'dotted';
      return h('li', {}, sample, line.label);
    }),
  );
}

/** One service's page, drawn into `root`; `update(store)` redraws it. */
export class ServicePage {
  #id;
  #text;
  #more;
  #operations;
  #charts = new Map();
  #shown = undefined;
  #revision = undefined;

  /**
   * @param {HTMLElement} root
   * @param {{ namespace: string, service: string }} id
   */
  constructor(root, id) {
    this.#id = id;
    this.#text = h('div');
    this.#more = h('div');
    this.#operations = h('div', { class: 'operations' });
    replace(
      root,
      h('p', { class: 'back' }, h('a', { href: '/ui/' }, '← All services')),
      h('h1', { tabindex: '-1' }, serviceName(id)),
      this.#text,
      section('Operations', 'operations-title', this.#operations),
      this.#more,
    );
  }

  /** Redraws from `store` (a ViewStore); nothing happens when this service did not change. */
  update(store) {
    const service = store.find(this.#id);
    const revision = service === undefined ? -1 : store.revision(service);
    if (service === this.#shown && revision === this.#revision) return;
    this.#shown = service;
    this.#revision = revision;
    if (service === undefined) {
      replace(this.#more);
      replace(
        this.#text,
        h(
          'p',
          { class: 'empty' },
          `No service ${serviceName(this.#id)} is visible with this token: it may not exist (yet), or belong to another tenant.`,
        ),
      );
      this.#operations.parentElement.hidden = true;
      return;
    }
    this.#operations.parentElement.hidden = false;
    replace(this.#text, section('State', 'state-title', state(service)));
    replace(
      this.#more,
      section('Level changes', 'timeline-title', timeline(service)),
      section('SLOs', 'slos-title', slos(service)),
      section('Admission', 'admission-title', admission(service)),
    );
    this.#drawOperations(service, store.view.lengthMs);
  }

  /** Stops the charts. */
  destroy() {
    for (const drawn of this.#charts.values()) drawn.chart.destroy();
    this.#charts.clear();
  }

  #drawOperations(service, lengthMs) {
    const seen = new Set();
    for (const op of service.operations) {
      const key = `${op.operation}\u0000${op.context}`;
      seen.add(key);
      let drawn = this.#charts.get(key);
      if (drawn === undefined) {
        const summary = h('p', { class: 'op-summary' });
        const box = h('div', { class: 'chart', role: 'img' });
        const block = h(
          'article',
          { class: 'op' },
          h('h3', {}, op.operation, ' ', h('span', { class: 'context' }, op.context)),
          summary,
          box,
          legend(),
        );
        drawn = { block, summary, box, chart: undefined };
        this.#charts.set(key, drawn);
      }
      this.#operations.append(drawn.block);
      drawn.chart ??= latencyChart(drawn.box, lengthMs);
      const latency = op.latencyMs ?? {};
      const judged = op.percentile ?? 'p95';
      const others = ['p50', 'p95', 'p99']
        .filter((p) => p !== judged)
        .map((p) => `${p} ${formatMs(latency[p])}`)
        .join(' · ');
      replace(
        drawn.summary,
        headroomBar(op.headroom, op.status),
        ` ${judged} ${formatMs(op.observedMs)} of a ${formatMs(op.budgetMs)} budget · ${others} · ${op.count ?? 0} samples`,
      );
      drawn.box.setAttribute(
        'aria-label',
        `p50, p95 and p99 of ${op.operation} over the last ${formatWindow(lengthMs)} against its budget`,
      );
      drawn.chart.update(op.history);
    }
    for (const [key, drawn] of this.#charts) {
      if (seen.has(key)) continue;
      drawn.chart?.destroy();
      drawn.block.remove();
      this.#charts.delete(key);
    }
    if (service.operations.length === 0) replace(this.#operations, h('p', {}, 'No judged operation yet.'));
    else this.#operations.querySelector(':scope > p')?.remove();
  }
}
