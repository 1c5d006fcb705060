/**
 * What a `headroom` command is: its options, once, for both `node:util` `parseArgs` and its
 * `--help` text (app/cli/help.ts), so the help cannot drift from what the parser accepts.
 */
import { type ParseArgsOptionDescriptor, parseArgs } from 'node:util';
import { didYouMean } from '../../config/index.ts';
import type { CliIo } from './io.ts';

/** One option of a command: what `parseArgs` reads, plus what `--help` prints about it. */
export interface OptionSpec extends ParseArgsOptionDescriptor {
  /** Name of the value in the help (`FILE`, `DIR`); string options only. */
  readonly value?: string;
  /** One sentence for the help, without a final period. */
  readonly help: string;
}

/** A command's options by long name. */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** A `headroom` command: what `headroom --help` lists, what `headroom <name> --help` prints, how it runs. */
export interface Command {
  readonly name: string;
  /** One line for the command list of `headroom --help`. */
  readonly summary: string;
  /** The synopsis without `npx`, exactly as the README's command table shows it. */
  readonly usage: string;
  /** What it does, a paragraph (the help wraps it at 80 columns). */
  readonly description: string;
  readonly options: OptionSpecs;
  /** Every exit code with its meaning, in order. */
  readonly exitCodes: readonly (readonly [code: number, meaning: string])[];
  /** A command line shown under "Example", without `npx`. */
  readonly example: string;
  /** Runs with the arguments after the command name (never `--help`); resolves to the exit code. */
  readonly run: (args: string[], io: CliIo) => Promise<number> | number;
}

/** The `--config FILE` option most commands share (repeatable, later files win). */
export const CONFIG_OPTION = {
  type: 'string',
  short: 'c',
  multiple: true,
  value: 'FILE',
  help: 'a configuration file (YAML); repeat it to merge several files, later ones win',
} as const satisfies OptionSpec;

/** Exit code of a usage error: an unknown command or option, a missing value. */
export const USAGE_ERROR = 2;

/** Bad arguments: `main` prints the message and exits {@link USAGE_ERROR}. Never leaves the CLI. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Parses `args` against `options` (strict): an unknown option is a {@link UsageError} naming the
 * closest known one; a missing value or an unexpected argument is one too, with `parseArgs`'s reason.
 */
export function parseCommandArgs<const T extends OptionSpecs>(
  options: T,
  args: string[],
  allowPositionals = false,
) {
  const { tokens } = parseArgs({ args, options, strict: false, tokens: true, allowPositionals: true });
  for (const token of tokens) {
    if (token.kind === 'option' && !Object.hasOwn(options, token.name))
      throw unknownOption(token.rawName, options);
  }
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (error) {
    if (!isParseArgsError(error)) throw error;
    throw new UsageError(error.message.replace(/\.$/, ''), { cause: error });
  }
}

function unknownOption(rawName: string, options: OptionSpecs): UsageError {
  const longNames = Object.keys(options);
  const shortNames = Object.entries(options).flatMap(([name, spec]) =>
    spec.short === undefined ? [] : [[spec.short, name] as const],
  );
  const known = rawName.startsWith('--')
    ? didYouMean(rawName.slice(2), longNames)
    : shortNames.find(([short]) => short.toLowerCase() === rawName.slice(1).toLowerCase())?.[1];
  const hint = known === undefined ? '' : ` (did you mean --${known}?)`;
  return new UsageError(`unknown option ${rawName}${hint}`);
}

function isParseArgsError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
