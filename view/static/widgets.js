// Small pieces shared by the overview and the service page: the level badge and the headroom bar.
// Each says in words what its colour says.

import { h } from './dom.js';
import { formatPercent, LEVELS } from './format.js';

/**
 * A degradation level as a badge: shape, word and colour; `(override)` when set by hand.
 * @param {string | null} level `NONE` … `CRITICAL`; null when not decided yet
 * @param {boolean} [overridden]
 */
export function levelBadge(level, overridden = false) {
  const known = LEVELS[level];
  if (known === undefined) return h('span', { class: 'level level-unknown' }, 'Not decided yet');
  return h(
    'span',
    { class: `level level-${level.toLowerCase()}`, 'data-level': level },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, known.icon),
    ` ${known.label}`,
    overridden ? h('span', { class: 'overridden' }, ' (override)') : null,
  );
}

/** What an operation without a headroom number says instead (its status, docs/decision-api.md). */
const STATUS_WORDS = {
  unbudgeted: 'no budget set',
  'insufficient-samples': 'not enough samples',
};

/**
 * Headroom as a number and a bar: full bar = the whole budget left, empty = none; over budget the
 * bar is striped and the words say so.
 * @param {number | null | undefined} headroom `1 - observed / budget`
 * @param {string | undefined} status the operation's judgement
 */
export function headroomBar(headroom, status) {
  const known = headroom !== null && headroom !== undefined && Number.isFinite(headroom);
  const fill = h('span', { class: 'fill' });
  fill.style.width = `${known ? Math.round(Math.min(1, Math.max(0, headroom)) * 100) : 0}%`;
  const state = !known ? 'unknown' : headroom < 0 ? 'over' : headroom < 0.2 ? 'low' : 'fine';
  const words = !known ? (STATUS_WORDS[status] ?? 'not judged yet') : headroom < 0 ? 'over budget' : '';
  return h(
    'span',
    { class: `headroom headroom-${state}` },
    h('span', { class: 'value' }, formatPercent(headroom)),
    ' ',
    h('span', { class: 'bar', 'aria-hidden': 'true' }, fill),
    words ? [' ', h('span', { class: 'words' }, words)] : null,
  );
}
