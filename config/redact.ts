import type { ConfigIssue } from '../errors.ts';
import { describeValue, formatValue } from './issue-messages.ts';
import { formatPath } from './location.ts';

/** A scalar whose value came from the environment, in the file that holds it. */
export interface SubstitutedValue {
  readonly file: string;
  readonly path: readonly (string | number)[];
  /** The scalar as written, e.g. `${TOKEN}`. */
  readonly reference: string;
  /** The expanded text. */
  readonly text: string;
  /** The value validation saw. */
  readonly value: unknown;
}

// Shorter values are not secrets, and replacing them anywhere would garble unrelated numbers.
const MIN_SCRUBBED_LENGTH = 4;

/**
 * Rewrites issue messages so that a value taken from the environment is shown as its
 * reference (`${TOKEN}`), never as the value: at the issue's own path every rendering of the
 * value is replaced (`got number 42` → `got ${PORT}`); elsewhere (cross-field rules) any
 * occurrence of a value of 4 characters or more is.
 * @example redactIssues(issues, [{ file, path: ['api', 'tokens', 0, 'token'], reference: '${TOKEN}', ... }])
 */
export function redactIssues(
  issues: readonly ConfigIssue[],
  substituted: readonly SubstitutedValue[],
): ConfigIssue[] {
  if (substituted.length === 0) return [...issues];
  return issues.map((issue) => {
    const own = (value: SubstitutedValue) =>
      value.file === issue.file && formatPath(value.path) === issue.path;
    let message = issue.message;
    // The issue's own value first, so that another variable with the same value does not name it.
    for (const value of substituted) if (own(value)) message = redactOwn(message, value);
    for (const value of substituted) if (!own(value)) message = scrub(message, value);
    return message === issue.message ? issue : { ...issue, message };
  });
}

function redactOwn(message: string, value: SubstitutedValue): string {
  const shown = shownReference(value.reference);
  let out = message;
  for (const rendering of [describeValue(value.value), formatValue(value.value), formatValue(value.text)]) {
    out = out.replaceAll(rendering, shown);
  }
  return scrub(out, value);
}

function scrub(message: string, value: SubstitutedValue): string {
  let out = message;
  for (const text of new Set([value.text, String(value.value)])) {
    if (text.length >= MIN_SCRUBBED_LENGTH) out = out.replaceAll(text, shownReference(value.reference));
  }
  return out;
}

/** `${TOKEN}` as is; a partial substitution quoted as written: `"Bearer ${TOKEN}"`. */
function shownReference(reference: string): string {
  return /^\$\{[^}]*\}$/.test(reference) ? reference : JSON.stringify(reference);
}
