import { readFileSync, writeFileSync } from 'node:fs';
import { loadConfig } from '../../config/index.ts';
import { CONFIG_OPTION, type Command, parseCommandArgs, UsageError } from './command.ts';
import type { CliIo } from './io.ts';
import { type ConfiguredNames, configuredNames, namesDeclaration } from './names-declaration.ts';

const OPTIONS = {
  config: CONFIG_OPTION,
  out: {
    type: 'string',
    short: 'o',
    value: 'FILE',
    help: 'write the declaration to FILE (a .d.ts your tsconfig.json includes) instead of printing it',
  },
  check: {
    type: 'boolean',
    help: 'compare FILE with what would be written, write nothing; exit 1 when it is missing or out of date',
  },
} as const;

/**
 * `headroom types --config FILE [--config FILE] [--out FILE [--check]]`: the TypeScript
 * declaration file that types the API with the configured names (contexts and their phases,
 * features, budget modifiers), printed or written to FILE; with `--check`, compares FILE with
 * what it would write instead (for CI). 0 when done (or up to date), 1 for an invalid
 * configuration, an unwritable FILE or, with `--check`, a FILE that is missing or out of date, 2
 * for bad arguments (also without `--config`: the names come from a configuration).
 * @example
 * headroom types --config headroom.yaml --out src/headroom-names.d.ts
 */
function typesCommand(args: string[], io: CliIo): number {
  const { values } = parseCommandArgs(OPTIONS, args);
  const files = values.config ?? [];
  if (files.length === 0)
    throw new UsageError('--config FILE is required: the configuration whose names to type');
  if (values.check === true && values.out === undefined) throw new UsageError('--check needs --out FILE');
  const names = configuredNames(loadConfig({ files, env: io.env }));
  const out = values.out;
  const command = ['headroom types', ...files.map((file) => `--config ${file}`)];
  if (out !== undefined) command.push(`--out ${out}`);
  const text = namesDeclaration(names);
  if (out === undefined) {
    io.stdout(text);
    return 0;
  }
  if (values.check === true) return check(out, text, command.join(' '), io);
  try {
    writeFileSync(out, text);
  } catch (error) {
    io.stderr(`headroom types: cannot write ${out}: ${(error as Error).message}\n`);
    return 1;
  }
  io.stdout(`${out}: ${summary(names)}\n`);
  return 0;
}

/** `--check`: 0 when `out` holds `text`, else 1 with the command that updates it. */
function check(out: string, text: string, command: string, io: CliIo): number {
  let current: string | undefined;
  try {
    current = readFileSync(out, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) {
    io.stdout(`${out}: up to date\n`);
    return 0;
  }
  const what = current === undefined ? 'missing' : 'out of date';
  io.stderr(`headroom types: ${out} is ${what}; run \`${command}\`\n`);
  return 1;
}

/** e.g. `4 contexts, 3 phases, 2 features, 1 modifier` (phases counted once across contexts). */
function summary(names: ConfiguredNames): string {
  const phases = new Set([...names.contexts.values()].flat());
  return [
    count(names.contexts.size, 'context'),
    count(phases.size, 'phase'),
    count(names.features.length, 'feature'),
    count(names.modifiers.length, 'modifier'),
  ].join(', ');
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `headroom types`, for the command list and its help. */
export const TYPES_COMMAND: Command = {
  name: 'types',
  summary: 'print or write the TypeScript declaration of the configured names',
  usage: 'headroom types --config FILE [--config FILE] [--out FILE [--check]]',
  description:
    'Prints the TypeScript declaration file that types the API of headroom-otel with the names the ' +
    'configuration defines (its contexts and their phases, the features its degradation levels ' +
    'disable, its budget modifiers), or writes it to FILE (then prints what it holds): a misspelt ' +
    'context, phase, feature or modifier becomes a compile error. Put FILE where your tsconfig.json ' +
    'includes it and commit it; run the command again when the configuration changes.\n\n' +
    'With --check it writes nothing and compares FILE with what it would write, for CI.',
  options: OPTIONS,
  exitCodes: [
    [0, 'done (with --check: FILE is up to date)'],
    [1, 'invalid configuration, FILE cannot be written, or (--check) FILE is missing or out of date'],
    [2, 'usage error (also without --config, or --check without --out)'],
  ],
  example: 'headroom types --config headroom.yaml --out src/headroom-names.d.ts',
  run: typesCommand,
};
