import type { z } from 'zod';
import { didYouMean } from './did-you-mean.ts';

type Issue = z.core.$ZodIssue;

const MAX_SHOWN_CHARS = 60;
const BARE_LITERAL = /^[\w./:@-]+$/;

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  bigint: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  array: 'a list',
  tuple: 'a list',
  set: 'a list',
  null: 'null',
  undefined: 'nothing',
  never: 'nothing (remove it)',
  date: 'a date',
};

/**
 * Renders a value found in a config as a user would recognise it in their YAML:
 * `"abc"`, `42`, `true`, `null`, `a list of 3 items`, `a mapping`, `nothing`.
 * @example formatValue('p96') // '"p96"'
 */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > MAX_SHOWN_CHARS ? `${value.slice(0, MAX_SHOWN_CHARS)}...` : value;
    return JSON.stringify(shown);
  }
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object' && value !== null) return 'a mapping';
  return String(value);
}

/** Like {@link formatValue}, with the kind of scalar first: `string "abc"`, `number 42`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'an empty value (null)';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return `${typeof value} ${formatValue(value)}`;
  }
  return formatValue(value);
}

/** How an expected type reads in a message: `number` → `a number`. */
export function expectedName(expected: string): string {
  return EXPECTED[expected] ?? `a ${expected}`;
}

/** Allowed values as a list: bare where unambiguous (`p50, p99`), quoted otherwise. */
function formatChoices(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' && BARE_LITERAL.test(v) ? v : formatValue(v))).join(', ');
}

/** The message for an unknown key, with a suggestion and the allowed keys when they are known. */
export function unknownKeyMessage(key: string, allowed: readonly string[] | undefined): string {
  if (allowed === undefined) return `unknown key "${key}"`;
  if (allowed.length === 0) return `unknown key "${key}"; no keys are allowed here`;
  const suggestion = didYouMean(key, allowed);
  const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
  return `unknown key "${key}"${hint}; allowed keys: ${allowed.join(', ')}`;
}

/**
 * What was found and what is allowed, for one zod issue; `found` is the offending value.
 * `key` is the last path segment, used when the value is missing altogether.
 */
export function issueMessage(issue: Issue, found: unknown, key: PropertyKey | undefined): string {
  switch (issue.code) {
    case 'invalid_type':
      return invalidTypeMessage(issue.expected, found, key);
    case 'invalid_value':
      return `${choicesMessage(issue.values)}; got ${formatValue(found)}`;
    case 'too_big':
    case 'too_small':
      return boundMessage(issue, found);
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}; got ${formatValue(found)}`;
    case 'invalid_format':
      return `${formatMessage(issue)}; got ${formatValue(found)}`;
    default:
      return issue.message;
  }
}

/** `must be one of a, b` or, for a single value, `must be "a"`. */
export function choicesMessage(values: readonly unknown[]): string {
  return values.length === 1
    ? `must be ${formatValue(values[0])}`
    : `must be one of ${formatChoices(values)}`;
}

function invalidTypeMessage(expected: string, found: unknown, key: PropertyKey | undefined): string {
  if (found !== undefined) return `expected ${expectedName(expected)}, got ${describeValue(found)}`;
  const what = typeof key === 'string' ? `required key "${key}"` : 'required value';
  return `${what} is missing (expected ${expectedName(expected)})`;
}

function boundMessage(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall, found: unknown): string {
  const big = issue.code === 'too_big';
  const limit = String(big ? issue.maximum : issue.minimum);
  const relation = boundRelation(big, issue.inclusive !== false, issue.exact === true);
  if (issue.origin === 'string') {
    const got = typeof found === 'string' ? `; got ${found.length}` : '';
    return `must be ${relation} ${limit} characters long${got}`;
  }
  if (issue.origin === 'array' || issue.origin === 'set') {
    const got = Array.isArray(found) ? `; got ${found.length}` : '';
    return `must have ${relation} ${limit} items${got}`;
  }
  return `must be ${relation} ${limit}; got ${formatValue(found)}`;
}

function boundRelation(big: boolean, inclusive: boolean, exact: boolean): string {
  if (exact) return 'exactly';
  if (big) return inclusive ? 'at most' : 'less than';
  return inclusive ? 'at least' : 'more than';
}

function formatMessage(issue: z.core.$ZodIssueInvalidStringFormat): string {
  const detail = issue as Partial<Record<'prefix' | 'suffix' | 'includes', string>>;
  switch (issue.format) {
    case 'regex':
      return `must match the pattern ${issue.pattern}`;
    case 'starts_with':
      return `must start with "${detail.prefix}"`;
    case 'ends_with':
      return `must end with "${detail.suffix}"`;
    case 'includes':
      return `must include "${detail.includes}"`;
    default:
      return `must be a valid ${issue.format}`;
  }
}
