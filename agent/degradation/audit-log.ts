/** A bounded record of the last decisions, with JSON and CSV renderings for APIs and incident reviews. */
import { diag } from '@opentelemetry/api';
import { csvField } from './csv-field.ts';
import { seriesLabel } from './messages.ts';
import type { DegradationDecision } from './types.ts';

/** Decisions an audit log keeps unless told otherwise. */
export const DEFAULT_AUDIT_LOG_SIZE = 1000;

/** Columns of a degradation {@link AuditLog.toCSV}, in order. */
const AUDIT_CSV_COLUMNS = Object.freeze([
  'seq',
  'at',
  'service',
  'from',
  'to',
  'reason',
  'message',
  'series',
  'percentile',
  'observed_ms',
  'budget_ms',
  'ratio',
  'disabled',
  'enabled',
] as const);

/** The reading side of an {@link AuditLog}. */
export type ReadonlyAuditLog<D = DegradationDecision> = Pick<
  AuditLog<D>,
  'capacity' | 'size' | 'entries' | 'toJSON' | 'toCSV'
>;

/** How an {@link AuditLog} renders its decisions as CSV: the header's columns and one row per decision. */
export interface CsvFormat<D> {
  readonly columns: readonly string[];
  /** The row's fields, unquoted, in `columns` order. */
  row(decision: D): readonly string[];
}

function csvRow(decision: DegradationDecision): string[] {
  const { evidence, actions } = decision;
  return [
    String(decision.seq),
    new Date(decision.at).toISOString(),
    decision.service,
    decision.from,
    decision.to,
    decision.reason,
    decision.message,
    evidence === undefined ? '' : seriesLabel(evidence),
    evidence?.percentile ?? '',
    evidence === undefined ? '' : String(evidence.observedMs),
    evidence === undefined ? '' : String(evidence.budgetMs),
    evidence === undefined ? '' : String(evidence.ratio),
    actions.disabled.join(';'),
    actions.enabled.join(';'),
  ];
}

const DEGRADATION_CSV: CsvFormat<DegradationDecision> = { columns: AUDIT_CSV_COLUMNS, row: csvRow };

/** A ring of the last `capacity` decisions; the oldest is dropped first. */
export class AuditLog<D = DegradationDecision> {
  readonly #ring: (D | undefined)[];
  readonly #format: CsvFormat<D>;
  /** Index the next decision goes to. */
  #next = 0;
  #size = 0;

  /**
   * @param capacity decisions kept, a whole number from 1; anything else is reported through `diag`
   *   and replaced (fractions truncated, below 1 raised to 1, non-finite values by the default).
   * @default 1000
   * @param format the CSV rendering; @default the degradation decisions' columns
   */
  constructor(
    capacity: number = DEFAULT_AUDIT_LOG_SIZE,
    format: CsvFormat<D> = DEGRADATION_CSV as unknown as CsvFormat<D>,
  ) {
    this.#format = format;
    const usable = Number.isFinite(capacity) ? Math.max(1, Math.trunc(capacity)) : DEFAULT_AUDIT_LOG_SIZE;
    if (usable !== capacity)
      diag.warn(`headroom: audit log size ${capacity} is not a whole number >= 1; using ${usable}`);
    this.#ring = new Array(usable);
  }

  /** Decisions kept at most. */
  get capacity(): number {
    return this.#ring.length;
  }

  /** Decisions kept now. */
  get size(): number {
    return this.#size;
  }

  /** Records `decision`, dropping the oldest when full. */
  add(decision: D): void {
    this.#ring[this.#next] = decision;
    this.#next = (this.#next + 1) % this.#ring.length;
    this.#size = Math.min(this.#size + 1, this.#ring.length);
  }

  /** The kept decisions, oldest first (a new array). */
  entries(): D[] {
    const start = (this.#next - this.#size + this.#ring.length) % this.#ring.length;
    const out: D[] = [];
    for (let i = 0; i < this.#size; i++) out.push(this.#ring[(start + i) % this.#ring.length] as D);
    return out;
  }

  /** The kept decisions, oldest first, as `JSON.stringify` should render them. */
  toJSON(): D[] {
    return this.entries();
  }

  /**
   * RFC 4180 CSV (CRLF line ends, header first); for degradation decisions `at` in ISO 8601 and
   * feature lists joined with `;`. A field that a spreadsheet would run as a formula (starting with
   * = + - @, a tab or a CR, except a plain number) is prefixed with `'` (see `csvField`).
   */
  toCSV(): string {
    const rows = [
      this.#format.columns.join(','),
      ...this.entries().map((decision) => this.#format.row(decision).map(csvField).join(',')),
    ];
    return `${rows.join('\r\n')}\r\n`;
  }
}
