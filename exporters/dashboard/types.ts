/**
 * The parts of Grafana's dashboard JSON model (schemaVersion 39) the generator writes. Panel
 * options and field config stay open records: Grafana owns their schema and the tests check the
 * output as a whole.
 */

/** A data source reference; `${datasource}` is the dashboard's data source variable. */
export interface DataSourceRef {
  readonly type: 'prometheus';
  readonly uid: string;
}

/** One PromQL query of a panel. */
export interface PrometheusTarget {
  readonly refId: string;
  readonly datasource: DataSourceRef;
  readonly expr: string;
  readonly legendFormat: string;
  readonly format?: 'time_series' | 'heatmap';
  readonly instant?: boolean;
  readonly range?: boolean;
}

/** Size of a panel on Grafana's 24-column grid, in columns and rows of 30 px. */
export interface PanelSize {
  readonly w: number;
  readonly h: number;
}

/** Where a panel sits on the grid. */
export interface GridPos extends PanelSize {
  readonly x: number;
  readonly y: number;
}

/** A panel before layout: everything but its id and position. */
export interface PanelSpec {
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly size: PanelSize;
  readonly targets: readonly PrometheusTarget[];
  readonly fieldConfig: Readonly<Record<string, unknown>>;
  readonly options: Readonly<Record<string, unknown>>;
  /** Repeat the panel for each selected value of this variable. */
  readonly repeat?: string;
}

/** A titled group of panels: a Grafana row and the panels under it. */
export interface Section {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

/** A row header: the title line above a section's panels. */
export interface RowPanel {
  readonly id: number;
  readonly type: 'row';
  readonly title: string;
  readonly gridPos: GridPos;
  readonly collapsed: false;
  readonly panels: readonly [];
}

/** A data panel as it appears in the dashboard's `panels`. */
export interface DataPanel extends Omit<PanelSpec, 'size'> {
  readonly id: number;
  readonly gridPos: GridPos;
  readonly datasource: DataSourceRef;
  readonly repeatDirection?: 'h';
  readonly maxPerRow?: number;
}

/** An entry of the dashboard's `panels`. */
export type Panel = RowPanel | DataPanel;
