import type { z } from 'zod';
import type { ConfigIssue } from '../errors.ts';
import type { EnvVars } from './env-substitution.ts';
import { substituteEnv } from './env-substitution.ts';
import { sortIssues, toConfigIssues, zodParseOptions } from './issues.ts';
import { mergeSources } from './merge.ts';
import { redactIssues } from './redact.ts';
import { reservedKeyIssues } from './reserved-keys.ts';
import { illFormedStringIssues } from './well-formed.ts';
import { parseYamlSource } from './yaml-source.ts';

/** One configuration file's name (as shown in messages) and text. */
export interface ConfigSource {
  readonly file: string;
  readonly text: string;
}

/** The validated config, or every problem found; failure is a value here, the loader throws. */
export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: ConfigIssue[] };

/**
 * Turns YAML texts into one validated value: parse every file, expand environment
 * references, merge (later files win), then `schema.safeParse`. Reports every problem at
 * once, each located in the file that caused it. Syntax errors stop before validation
 * (after all files are parsed); unexpandable references do not, but validation problems at
 * those same values are dropped as duplicates. A substituted value takes the type its field
 * expects, and messages show its reference (`${TOKEN}`), never the value. No sources validates `{}`, so defaults apply.
 * Never throws.
 * @example
 * const result = validateSources([{ file: 'headroom.yaml', text }], ConfigSchema, process.env);
 * if (!result.ok) throw new ConfigInvalidError(result.issues);
 */
export function validateSources<T>(
  sources: readonly ConfigSource[],
  schema: z.ZodType<T>,
  env: EnvVars,
): ValidationResult<T> {
  const parsed = sources.map((source) => parseYamlSource(source.file, source.text));
  const syntaxIssues = parsed.flatMap((source) => source.issues);
  if (syntaxIssues.length > 0) return { ok: false, issues: sortIssues(syntaxIssues) };

  const substituted = parsed.map((source) => ({ ...source, ...substituteEnv(source, env, schema) }));
  const fromEnv = substituted.flatMap((source) =>
    source.substitutions.map((s) => ({ ...s, file: source.file })),
  );
  const envIssues = substituted.flatMap((source) => source.issues);
  const merged = mergeSources(substituted);
  const reserved = [
    ...reservedKeyIssues(merged.value, merged.locate),
    ...illFormedStringIssues(merged.value, merged.locate),
  ];
  if (reserved.length > 0) return { ok: false, issues: sortIssues([...envIssues, ...reserved]) };
  const result = schema.safeParse(merged.value, zodParseOptions);
  if (result.success && envIssues.length === 0) return { ok: true, value: result.data };

  const schemaIssues = result.success
    ? []
    : toConfigIssues(result.error, merged.locate, schema, merged.value);
  const fresh = schemaIssues.filter(
    (issue) => !envIssues.some((e) => e.file === issue.file && e.path === issue.path),
  );
  return { ok: false, issues: sortIssues(redactIssues([...envIssues, ...fresh], fromEnv)) };
}
