import { z } from 'zod';
import type { ConfigIssue } from '../errors.ts';
import {
  choicesMessage,
  describeValue,
  expectedName,
  formatValue,
  issueMessage,
  unknownKeyMessage,
} from './issue-messages.ts';
import type { Anchor, ConfigPath, Locate } from './location.ts';
import { formatPath } from './location.ts';
import { allowedKeysAt, unionOptionAt } from './schema-at.ts';
import { isMapping, valueAt } from './tree.ts';

export { formatValue } from './issue-messages.ts';

type Issue = z.core.$ZodIssue;

/** Marks messages zod made up itself, so `toConfigIssues` can replace them and keep authored ones. */
const DEFAULT_MESSAGE = '\u0000headroom:zod-default';

/**
 * Options to pass to `schema.safeParse(data, zodParseOptions)`: they let
 * {@link toConfigIssues} tell zod's generic messages from messages the schema author wrote,
 * and report the value the schema saw (after transforms).
 */
export const zodParseOptions: z.core.ParseContext<Issue> = {
  reportInput: true,
  error: () => DEFAULT_MESSAGE,
};

interface FlatIssue {
  readonly path: readonly PropertyKey[];
  readonly anchor: Anchor;
  readonly message: string;
}

interface Context {
  /** The schema issues are read against: the root one, or a union branch rooted at `base`. */
  readonly schema: z.core.$ZodType;
  readonly base: readonly PropertyKey[];
  readonly input: unknown;
}

/**
 * Turns every zod issue into a located {@link ConfigIssue} whose message says what was found
 * and what is allowed. An unknown-keys issue becomes one issue per key, at the key, with a
 * did-you-mean from the keys `schema` allows there; a failed union reports the branch the
 * user most likely meant; messages the schema author wrote (refinements, custom messages)
 * are kept. `input` is the data that was parsed, used to show found values when the parse
 * did not use {@link zodParseOptions}. Sorted by file, then line.
 */
export function toConfigIssues(
  error: { readonly issues: readonly Issue[] },
  locate: Locate,
  schema: z.core.$ZodType,
  input?: unknown,
): ConfigIssue[] {
  const context: Context = { schema, base: [], input };
  const flat = error.issues.flatMap((issue) => flatten(issue, [], context));
  return sortIssues(flat.map((issue) => locateIssue(issue, locate)));
}

/** Orders issues by file, then line, then column; issues without a position come first. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort(
    (a, b) => compare(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function flatten(issue: Issue, prefix: readonly PropertyKey[], context: Context): FlatIssue[] {
  const path = [...prefix, ...issue.path];
  const found = 'input' in issue ? issue.input : valueAt(context.input, path);
  const authored = isAuthored(issue, found);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(context.schema, path.slice(context.base.length));
      return issue.keys.map((key) => ({
        path: [...path, key],
        anchor: 'key',
        message: authored ? issue.message : unknownKeyMessage(key, allowed),
      }));
    }
    case 'invalid_union':
      return authored ? one(path, 'value', issue.message) : unionIssues(issue, path, found, context);
    case 'invalid_key': {
      const key = String(path.at(-1));
      const detail = issue.issues[0];
      // The key's own issue says what names are allowed: the schema's words when it has some.
      const why =
        detail === undefined
          ? 'not an allowed name'
          : isAuthored(detail, key)
            ? detail.message
            : issueMessage(detail, key, undefined);
      return one(path, 'key', authored ? issue.message : `invalid key ${formatValue(key)}: ${why}`);
    }
    default:
      return one(path, 'value', authored ? issue.message : issueMessage(issue, found, path.at(-1)));
  }
}

function one(path: readonly PropertyKey[], anchor: Anchor, message: string): FlatIssue[] {
  return [{ path, anchor, message }];
}

function isAuthored(issue: Issue, found: unknown): boolean {
  if (issue.code === 'custom') return true;
  return issue.message !== DEFAULT_MESSAGE && issue.message !== localeMessage(issue, found);
}

/** The message zod's configured locale gives this issue, to recognise it when parsed without our options. */
function localeMessage(issue: Issue, found: unknown): string | undefined {
  try {
    const result = z.core.config().localeError?.({ ...issue, input: found } as z.core.$ZodRawIssue);
    return typeof result === 'string' ? result : (result?.message ?? undefined);
  } catch {
    return undefined;
  }
}

function unionIssues(
  issue: z.core.$ZodIssueInvalidUnion,
  path: readonly PropertyKey[],
  found: unknown,
  context: Context,
): FlatIssue[] {
  if (issue.discriminator !== undefined && issue.errors.length === 0) {
    const tag = isMapping(found) ? found[issue.discriminator] : valueAt(context.input, path);
    const got = tag === undefined ? 'it is missing' : `got ${formatValue(tag)}`;
    const options = 'options' in issue ? (issue.options ?? []) : [];
    return one(path, 'value', `${choicesMessage(options)}; ${got}`);
  }
  const alternatives = simpleAlternatives(issue.errors);
  if (alternatives !== undefined) {
    return one(path, 'value', `expected ${alternatives.join(' or ')}, got ${describeValue(found)}`);
  }
  const index = likeliestBranch(issue.errors);
  const branch = issue.errors[index];
  if (branch === undefined) return one(path, 'value', issue.message);
  const option = unionOptionAt(context.schema, path.slice(context.base.length), index);
  const inner = option === undefined ? context : { ...context, schema: option, base: path };
  return branch.flatMap((nested) => flatten(nested, path, inner));
}

/** When every branch failed on the value itself (wrong type or value), what each branch wanted. */
function simpleAlternatives(branches: readonly (readonly Issue[])[]): string[] | undefined {
  const wanted = new Set<string>();
  for (const branch of branches) {
    const [only] = branch;
    if (branch.length !== 1 || !only || only.path.length > 0) return undefined;
    if (only.code === 'invalid_type') wanted.add(expectedName(only.expected));
    else if (only.code === 'invalid_value') for (const v of only.values) wanted.add(formatValue(v));
    else return undefined;
  }
  return wanted.size > 0 ? [...wanted] : undefined;
}

/** The index of the branch the user most likely meant: fewest mismatched literals or types, then fewest issues. */
function likeliestBranch(branches: readonly (readonly Issue[])[]): number {
  const score = (branch: readonly Issue[]) => {
    const mismatches = branch.filter(
      (i) => i.code === 'invalid_value' || (i.code === 'invalid_type' && i.path.length === 0),
    );
    return mismatches.length * 1000 + branch.length;
  };
  let best = 0;
  branches.forEach((branch, index) => {
    if (score(branch) < score(branches[best] ?? branch)) best = index;
  });
  return best;
}

/** The issue with the file, line and column `locate` gives its path. */
export function locateIssue(issue: FlatIssue, locate: Locate): ConfigIssue {
  const path: ConfigPath = issue.path.map((s) => (typeof s === 'symbol' ? String(s) : s));
  const { file, line, column } = locate(path, issue.anchor);
  const position = line === undefined ? {} : { line, column: column ?? 1 };
  return { file, path: formatPath(issue.path), ...position, message: issue.message };
}
