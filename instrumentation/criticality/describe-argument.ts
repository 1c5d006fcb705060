/**
 * How a log line names a value untyped code passed where a class was expected, without calling
 * into it: no `toString`, `valueOf`, `Symbol.toPrimitive`, getter or proxy trap runs, so the
 * description never throws (telemetry never throws into its host) and never runs the caller's code.
 */
import { truncate } from '../../agent/index.ts';

/** Longest part of a string argument quoted in a log line, in UTF-16 code units. */
const QUOTED_LENGTH = 64;

/**
 * A string quoted (JSON, its first 64 code units); a number, boolean, bigint (`12n`), `null` or
 * `undefined` as written in code; otherwise its kind only: `a symbol`, `an object` (arrays,
 * proxies, null-prototype objects included), `a function`. Never throws.
 */
export function describeArgument(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(truncate(value, QUOTED_LENGTH));
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'bigint':
      return `${String(value)}n`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default:
      return value === null ? 'null' : 'an object';
  }
}
