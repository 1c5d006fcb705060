/**
 * What `headroom top` shows: the live view's operations in a terminal table, the one closest to
 * (or furthest over) its budget first, rebuilt from the view stream's events (`view` replaces
 * everything, `point` updates each operation's numbers, `service` replaces a service, `evicted`
 * removes one). Pure: the command feeds events in and prints {@link renderTop}'s text.
 */
import type { OperationView, PointEvent, ServiceView, ViewAnswer } from '../../view/index.ts';
import { cellWidth, printable } from './terminal-text.ts';

/** The screen's state: the latest view, kept current by the stream's events. */
export class TopScreen {
  #view: ViewAnswer | undefined;
  /** When the last event arrived (its data's time when it has one), ms since the epoch. */
  #updatedAtMs: number | undefined;

  /** The view as it stands; `undefined` before the first `view` event. */
  get view(): ViewAnswer | undefined {
    return this.#view;
  }

  /** Applies one stream event (`event` name, parsed `data`); unknown events are ignored. */
  apply(event: string, data: unknown): void {
    if (event === 'view') {
      this.#view = data as ViewAnswer;
      this.#updatedAtMs = this.#view.generatedAtMs;
      return;
    }
    const view = this.#view;
    if (view === undefined) return;
    if (event === 'point') {
      const point = data as PointEvent;
      this.#view = { ...view, services: view.services.map((service) => withPoints(service, point)) };
      this.#updatedAtMs = point.atMs;
    } else if (event === 'service') {
      const next = data as ServiceView;
      const others = view.services.filter((service) => !sameService(service, next));
      this.#view = { ...view, services: [...others, next] };
    } else if (event === 'evicted') {
      const gone = data as Pick<ServiceView, 'namespace' | 'service'>;
      this.#view = { ...view, services: view.services.filter((service) => !sameService(service, gone)) };
    }
  }

  /** The text of one frame (see {@link renderTop}). */
  render(source: string): string {
    return renderTop(this.#view, source, this.#updatedAtMs);
  }
}

function sameService(
  a: Pick<ServiceView, 'namespace' | 'service'>,
  b: Pick<ServiceView, 'namespace' | 'service'>,
) {
  return a.namespace === b.namespace && a.service === b.service;
}

function withPoints(service: ServiceView, event: PointEvent): ServiceView {
  const mine = event.points.filter((point) => sameService(point, service));
  if (mine.length === 0) return service;
  const operations = service.operations.map((operation): OperationView => {
    const point = mine.find(
      (one) => one.operation === operation.operation && one.context === operation.context,
    );
    if (point === undefined) return operation;
    const { observedMs, budgetMs, headroom, status, count, p50, p95, p99 } = point;
    return { ...operation, observedMs, budgetMs, headroom, status, count, latencyMs: { p50, p95, p99 } };
  });
  return { ...service, operations };
}

const COLUMNS = [
  'SERVICE',
  'OPERATION',
  'CONTEXT',
  'LEVEL',
  'P50',
  'P95',
  'P99',
  'BUDGET',
  'HEADROOM',
] as const;
/** Columns aligned right (numbers). */
const NUMERIC = new Set<string>(['P50', 'P95', 'P99', 'BUDGET', 'HEADROOM']);

/**
 * One frame: a title line (source, counts, time of the last update in UTC), then one row per
 * whole operation of every service, sorted by headroom ascending (none last), then service,
 * context, operation. A level held by an override ends in `*`; a missing value is `-`.
 * @example renderTop(view, 'http://127.0.0.1:4320', view.generatedAtMs)
 */
export function renderTop(
  view: ViewAnswer | undefined,
  source: string,
  updatedAtMs: number | undefined,
): string {
  if (view === undefined) return `headroom top: ${source}: waiting for the view...\n`;
  const rows = view.services
    .flatMap((service) => service.operations.map((operation) => ({ service, operation })))
    .sort(byHeadroom)
    .map(({ service, operation }) => [
      service.namespace === '' ? service.service : `${service.namespace}/${service.service}`,
      operation.operation,
      operation.context,
      `${service.level}${service.overridden ? '*' : ''}`,
      ms(operation.latencyMs.p50),
      ms(operation.latencyMs.p95),
      ms(operation.latencyMs.p99),
      ms(operation.budgetMs),
      operation.headroom === null ? '-' : `${(operation.headroom * 100).toFixed(1)}%`,
    ]);
  const when =
    updatedAtMs === undefined ? '' : ` - updated ${new Date(updatedAtMs).toISOString().slice(11, 19)} UTC`;
  const title = `headroom top - ${source} - ${view.services.length} services, ${rows.length} operations${when}`;
  return `${title}\n\n${table([[...COLUMNS], ...rows])}${rows.length === 0 ? '(no operations yet)\n' : ''}`;
}

function byHeadroom(
  a: { service: ServiceView; operation: OperationView },
  b: { service: ServiceView; operation: OperationView },
): number {
  const x = a.operation.headroom;
  const y = b.operation.headroom;
  if (x !== y) {
    if (x === null) return 1;
    if (y === null) return -1;
    return x - y;
  }
  const names = (row: typeof a) => [
    row.service.namespace,
    row.service.service,
    row.operation.context,
    row.operation.operation,
  ];
  const [left, right] = [names(a), names(b)];
  for (let i = 0; i < left.length; i++)
    if (left[i] !== right[i]) return (left[i] as string) < (right[i] as string) ? -1 : 1;
  return 0;
}

/** A latency: whole ms from 10 ms, one decimal below; `-` when missing. */
function ms(value: number | null): string {
  if (value === null) return '-';
  return value >= 10 ? `${Math.round(value)}ms` : `${value.toFixed(1)}ms`;
}

function table(cells: readonly (readonly string[])[]): string {
  const rows = cells.map((row) => row.map(printable));
  const widths = COLUMNS.map((_, column) => Math.max(...rows.map((row) => cellWidth(row[column] as string))));
  return rows
    .map((row) =>
      row
        .map((cell, column) => {
          const pad = ' '.repeat((widths[column] as number) - cellWidth(cell));
          return NUMERIC.has(COLUMNS[column] as string) ? pad + cell : cell + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}
