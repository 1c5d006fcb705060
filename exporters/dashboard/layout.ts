/**
 * Places sections on Grafana's 24-column grid: a row header per section, then its panels left to
 * right, wrapping to a new line when a panel does not fit. Ids count from 1 in that order, so
 * the same sections always give the same layout.
 */
import { DATASOURCE } from './promql.ts';
import type { DataPanel, Panel, PanelSpec, Section } from './types.ts';

const GRID_COLUMNS = 24;
/** Most clones of a repeated panel on one line. */
const MAX_PER_ROW = 4;

/** The dashboard's `panels`, rows included. */
export function layout(sections: readonly Section[]): Panel[] {
  const panels: Panel[] = [];
  let y = 0;
  for (const section of sections) {
    panels.push({
      id: panels.length + 1,
      type: 'row',
      title: section.title,
      gridPos: { x: 0, y, w: GRID_COLUMNS, h: 1 },
      collapsed: false,
      panels: [],
    });
    y += 1;
    let x = 0;
    let lineHeight = 0;
    for (const spec of section.panels) {
      if (x + spec.size.w > GRID_COLUMNS) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
      panels.push(place(spec, panels.length + 1, x, y));
      x += spec.size.w;
      lineHeight = Math.max(lineHeight, spec.size.h);
    }
    y += lineHeight;
  }
  return panels;
}

function place(spec: PanelSpec, id: number, x: number, y: number): DataPanel {
  const { size, ...rest } = spec;
  const repeat = spec.repeat === undefined ? {} : { repeatDirection: 'h' as const, maxPerRow: MAX_PER_ROW };
  return { id, ...rest, ...repeat, datasource: DATASOURCE, gridPos: { x, y, w: size.w, h: size.h } };
}
