/**
 * Shared pieces of the components' durable state: what a restore reports, and the checks every
 * restore applies to plain data read back from a store (which may be old, truncated or edited).
 * A restore never throws: what fails a check is dropped and counted.
 */

/** What one `restoreState()` did: entries taken back, and entries dropped as invalid or stale. */
export interface RestoreResult {
  /** Entries restored. */
  readonly restored: number;
  /** Entries dropped: malformed, of another version, or for a component configured differently. */
  readonly dropped: number;
}

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A finite number. */
export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** An array of finite numbers, each at least `min` (default: any). */
export function isNumberArray(value: unknown, min = -Infinity): value is number[] {
  return Array.isArray(value) && value.every((item) => isFiniteNumber(item) && item >= min);
}

/** The entries of a versioned state `{ version, entries: [...] }`; `undefined` when it is not one. */
export function entriesOf(state: unknown, version: number): unknown[] | undefined {
  if (!isRecord(state) || state.version !== version || !Array.isArray(state.entries)) return undefined;
  return state.entries;
}
