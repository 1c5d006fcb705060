import { isScalar, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { ConfigIssue } from '../errors.ts';
import type { ConfigPath } from './location.ts';
import { formatPath } from './location.ts';
import { targetTyped } from './target-type.ts';
import { isMapping } from './tree.ts';
import type { YamlSource } from './yaml-source.ts';

/** The environment to read variables from; passed in, never `process.env` read here. */
export type EnvVars = Readonly<Record<string, string | undefined>>;

/** One string after substitution. */
export interface Expansion {
  readonly text: string;
  /** The input was exactly one `${...}` reference, so its value may be typed (number, boolean). */
  readonly whole: boolean;
  /** Why some references could not be expanded; empty when all were. */
  readonly problems: readonly string[];
}

/** One scalar that took a value from the environment: what the file says, and what it became. */
export interface Substitution {
  readonly path: ConfigPath;
  /** The scalar as written, e.g. `${TOKEN}` or `Bearer ${TOKEN}`: what messages show. */
  readonly reference: string;
  /** The expanded text: what messages must not show. */
  readonly text: string;
  /** The value given to validation (the text, or a number or boolean). */
  readonly value: unknown;
}

/** The substituted data of one source and the references that could not be expanded. */
export interface SubstitutionResult {
  readonly value: unknown;
  readonly issues: readonly ConfigIssue[];
  /** Every scalar whose text came (in part) from the environment. */
  readonly substitutions: readonly Substitution[];
}

// `$$` first, so that `$${A}` is an escaped `$` followed by the literal text `{A}`.
const REFERENCE = /\$\$|\$\{([^}]*)\}/g;
const ENV_REFERENCE = /^(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

/**
 * Expands references in one string as the OpenTelemetry Collector does: `${NAME}`,
 * `${env:NAME}`, `${NAME:-default}`, `${env:NAME:-default}`; `$$` is a literal `$`.
 * The default applies only when the variable is unset (an empty value is a value).
 * Other text, a bare `$NAME` and an unclosed `${` stay as written.
 * @example expandString('http://${HOST:-localhost}:4318', {}).text // 'http://localhost:4318'
 */
export function expandString(text: string, env: EnvVars): Expansion {
  const problems: string[] = [];
  let matches = 0;
  let whole = false;
  const out = text.replace(REFERENCE, (match: string, body: string | undefined) => {
    if (body === undefined) return '$';
    matches += 1;
    whole = match.length === text.length;
    return resolve(body, env, problems) ?? match;
  });
  return { text: out, whole: whole && matches === 1, problems };
}

function resolve(body: string, env: EnvVars, problems: string[]): string | undefined {
  const reference = ENV_REFERENCE.exec(body);
  if (reference === null) {
    problems.push(unsupported(body));
    return undefined;
  }
  const [, name, fallback] = reference as unknown as [string, string, string | undefined];
  const value = env[name] ?? fallback;
  if (value === undefined) {
    problems.push(
      `environment variable ${name} is not set and has no default (write \${${name}:-value} to give one)`,
    );
  }
  return value;
}

function unsupported(body: string): string {
  const scheme = /^([A-Za-z][\w.-]*):(?!-)/.exec(body)?.[1];
  const what =
    scheme && scheme !== 'env' ? `provider "${scheme}" is not supported` : 'is not a valid variable name';
  return `"\${${body}}": ${what}; write \${NAME}, \${env:NAME} or \${NAME:-default}`;
}

/**
 * Expands environment references in every string value of a parsed source, before
 * validation. A value that is exactly one reference takes the type the field at its path
 * expects (`port: ${PORT}` with `PORT=9464` gives the number 9464; `token: ${TOKEN}` with
 * `TOKEN=0123` gives the string "0123"), read as YAML when the field takes a number or a
 * boolean, unless it was quoted in the file; partial substitutions stay strings. Without
 * `schema`, a whole value takes its YAML type. Each unexpandable reference becomes an issue at
 * its scalar; the scalar then keeps its text. Keys are not expanded.
 */
export function substituteEnv(
  source: YamlSource,
  env: EnvVars,
  schema?: z.core.$ZodType,
): SubstitutionResult {
  const issues: ConfigIssue[] = [];
  const substitutions: Substitution[] = [];
  const scalar = { source, env, schema, issues, substitutions };
  const visit = (value: unknown, path: ConfigPath): unknown => {
    if (typeof value === 'string') return substituteScalar(scalar, value, path);
    if (Array.isArray(value)) return value.map((item, index) => visit(item, [...path, index]));
    if (!isMapping(value)) return value;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, visit(item, [...path, key])]));
  };
  return { value: visit(source.value, []), issues, substitutions };
}

interface ScalarContext {
  readonly source: YamlSource;
  readonly env: EnvVars;
  readonly schema: z.core.$ZodType | undefined;
  readonly issues: ConfigIssue[];
  readonly substitutions: Substitution[];
}

function substituteScalar(context: ScalarContext, value: string, path: ConfigPath): unknown {
  const { source, issues } = context;
  const expansion = expandString(value, context.env);
  if (expansion.problems.length > 0) {
    const at = source.locate(path, 'value');
    for (const message of expansion.problems)
      issues.push({ file: source.file, path: formatPath(path), ...at, message });
    return value;
  }
  const text = expansion.text;
  const typed =
    expansion.whole && !source.isQuoted(path)
      ? targetTyped(context.schema, path, text, typedScalar(text))
      : text;
  if (hasReference(value)) context.substitutions.push({ path, reference: value, text, value: typed });
  return typed;
}

/** True when the scalar holds a `${...}` reference (not only `$$` escapes). */
function hasReference(value: string): boolean {
  return value.replaceAll('$$', '').includes('${');
}

/** A number or boolean when the text is a plain YAML scalar of that type; otherwise the text. */
function typedScalar(text: string): unknown {
  const doc = parseDocument(text);
  const node = doc.contents;
  const commented = Boolean(doc.comment || doc.commentBefore || node?.comment);
  if (doc.errors.length > 0 || commented || !isScalar(node) || node.type !== 'PLAIN') return text;
  return typeof node.value === 'number' || typeof node.value === 'boolean' ? node.value : text;
}
