import type { ConfigIssue } from '../errors.ts';
import type { Position } from './location.ts';

/** An unquoted `${NAME}` inside a flow collection (`{ }` or `[ ]`), where YAML reads `{` as a mapping. */
interface FlowReference {
  readonly offset: number;
  readonly reference: string;
}

/**
 * Replaces the tokenizer's messages from the first line holding an unquoted `${NAME}` inside
 * `{ }` or `[ ]` (with a syntax error on it) by one issue per such reference saying to quote
 * it: in flow style `{` starts a mapping, so `{ key: ${NAME} }` is not valid YAML (block style
 * and quoted values are). Issues on earlier lines are kept as they are.
 * @example key: { token: ${TOKEN} } → 'unquoted ${TOKEN} inside { } or [ ]: ...'
 */
export function withFlowReferenceHints(
  file: string,
  text: string,
  issues: readonly ConfigIssue[],
  position: (offset: number) => Position,
): ConfigIssue[] {
  if (issues.length === 0) return [...issues];
  const found = flowReferences(text).map((ref) => ({ ...ref, ...position(ref.offset) }));
  const hinted = found.filter((ref) => issues.some((issue) => issue.line === ref.line));
  const first = hinted[0];
  if (first === undefined) return [...issues];
  // The tokenizer's messages from there on follow from the misread `{`.
  const kept = issues.filter((issue) => issue.line === undefined || issue.line < first.line);
  const hints = hinted.map((ref) => ({
    file,
    path: '',
    line: ref.line,
    column: ref.column,
    message: `unquoted ${ref.reference} inside { } or [ ]: in flow style YAML reads its { as a mapping; quote the value ("${ref.reference}") or write the mapping in block style`,
  }));
  return [...kept, ...hints];
}

/** Unquoted `${...}` references at flow depth > 0, found by a small scan of the text. */
function flowReferences(text: string): FlowReference[] {
  const found: FlowReference[] = [];
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote !== undefined) {
      if (c === quote && !(quote === '"' && text[i - 1] === '\\')) quote = undefined;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1] as string))) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end - 1;
    } else if ((c === '"' || c === "'") && startsScalar(text, i)) {
      quote = c;
    } else if (c === '$' && text[i + 1] === '{') {
      const end = text.indexOf('}', i);
      if (depth > 0 && end !== -1) found.push({ offset: i, reference: text.slice(i, end + 1) });
      if (end !== -1) i = end;
    } else if (c === '{' || c === '[') {
      depth += 1;
    } else if ((c === '}' || c === ']') && depth > 0) {
      depth -= 1;
    }
  }
  return found;
}

/** A quote opens a quoted scalar only where a value starts (not inside `don't`). */
function startsScalar(text: string, offset: number): boolean {
  const before = /(\S?)[ \t]*$/.exec(text.slice(Math.max(0, offset - 200), offset))?.[1] ?? '';
  return before === '' || ':,[{-?'.includes(before);
}
