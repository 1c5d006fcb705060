/**
 * Validation of override requests: `PUT { level, reason, until? }` and `DELETE { reason }` (or
 * `?reason=`). Each function returns the parsed value or the sentence a 400 should carry.
 */

import { DEGRADATION_LEVELS, type DegradationLevel, isDegradationLevel } from '../../agent/index.ts';
import { parseDurationMs } from '../../config/index.ts';

/** Longest accepted reason, characters. */
const MAX_REASON_LENGTH = 500;

/** A validated `PUT .../override` body. */
export interface OverrideRequest {
  readonly level: DegradationLevel;
  readonly reason: string;
  /** Absolute expiry, ms since the epoch. */
  readonly untilMs?: number;
}

/** A value, or the message of a 400. */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string };

const LEVELS_HINT = `one of ${DEGRADATION_LEVELS.join(', ')}`;
const UNTIL_HINT = 'an ISO 8601 time such as 2030-01-01T12:00:00Z or a duration such as 30m or 2h';

/** The latest time a JavaScript `Date` can hold, ms since the epoch (+275760-09-13T00:00:00Z). */
const MAX_DATE_MS = 8.64e15;

/** Parses a PUT body; `nowMs` turns a duration `until` into an absolute time. */
export function parseOverride(body: unknown, nowMs: number): Parsed<OverrideRequest> {
  if (!isRecord(body)) return invalid(`the body must be a JSON object { level, reason, until? }`);
  const level = typeof body.level === 'string' ? body.level.trim().toUpperCase() : body.level;
  if (!isDegradationLevel(level)) return invalid(`level must be ${LEVELS_HINT}; got ${show(body.level)}`);
  const reason = parseReason(body.reason);
  if (!reason.ok) return reason;
  if (body.until === undefined || body.until === null) return valid({ level, reason: reason.value });
  const untilMs = parseUntil(body.until, nowMs);
  if (!untilMs.ok) return untilMs;
  return valid({ level, reason: reason.value, untilMs: untilMs.value });
}

/** The reason of a DELETE, from the JSON body or else the `reason` query parameter. */
export function parseClearReason(body: unknown, query: unknown): Parsed<string> {
  const fromBody = isRecord(body) ? body.reason : undefined;
  const fromQuery = isRecord(query) ? query.reason : undefined;
  return parseReason(fromBody ?? fromQuery);
}

function parseReason(value: unknown): Parsed<string> {
  const reason = typeof value === 'string' ? value.trim() : '';
  if (reason === '') return invalid('reason is required: say why, for the audit log (a non-empty string)');
  if (reason.length > MAX_REASON_LENGTH)
    return invalid(`reason must be at most ${MAX_REASON_LENGTH} characters, got ${reason.length}`);
  return valid(reason);
}

function parseUntil(value: unknown, nowMs: number): Parsed<number> {
  if (typeof value !== 'string') return invalid(`until must be ${UNTIL_HINT}; got ${show(value)}`);
  const durationMs = parseDurationMs(value);
  const untilMs = durationMs === undefined ? parseIsoTime(value) : nowMs + durationMs;
  if (untilMs === undefined) return invalid(`until must be ${UNTIL_HINT}; got ${show(value)}`);
  if (!(untilMs > nowMs)) return invalid(`until must be in the future; got ${show(value)}`);
  if (!(untilMs <= MAX_DATE_MS)) {
    const latest = new Date(MAX_DATE_MS).toISOString();
    return invalid(
      `until must end by ${latest}, the latest time a date can hold (omit until for an override without an end); got ${show(value)}`,
    );
  }
  return valid(untilMs);
}

/**
 * Accepts only ISO-like dates (`2030-01-01`, `2030-01-01T12:00:00Z`) of real calendar days, not
 * everything `Date.parse` guesses at (it reads 2030-02-31 as March 3).
 */
function parseIsoTime(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(text.trim());
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function valid<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

function invalid<T>(message: string): Parsed<T> {
  return { ok: false, message };
}
