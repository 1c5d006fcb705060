/**
 * The `headroom` command line. Each command is a function returning an exit code; `main` parses
 * the arguments and never calls `process.exit`, so tests run it in-process.
 */
import { createRequire } from 'node:module';
import { didYouMean } from '../../config/index.ts';
import { HeadroomError } from '../../errors.ts';
import { AGENT_COMMAND } from './collector-command.ts';
import { type Command, USAGE_ERROR, UsageError } from './command.ts';
import { DASHBOARD_COMMAND } from './dashboard-command.ts';
import { DEMO_COMMAND } from './demo-command.ts';
import { commandHelp, mainHelp } from './help.ts';
import { type CliIo, processIo } from './io.ts';
import { RULES_COMMAND } from './rules-command.ts';
import { SCHEMA_COMMAND } from './schema-command.ts';
import { STATE_COMMAND } from './state-command.ts';
import { TOP_COMMAND } from './top-command.ts';
import { TYPES_COMMAND } from './types-command.ts';
import { VALIDATE_COMMAND } from './validate-command.ts';

/** Every command, in the order `headroom --help` lists them. */
const COMMANDS: readonly Command[] = [
  VALIDATE_COMMAND,
  SCHEMA_COMMAND,
  AGENT_COMMAND,
  RULES_COMMAND,
  DASHBOARD_COMMAND,
  TYPES_COMMAND,
  STATE_COMMAND,
  TOP_COMMAND,
  DEMO_COMMAND,
];

/** `headroom help [COMMAND]`, listed last. */
const HELP_COMMAND: Command = {
  name: 'help',
  summary: 'print the help of a command: headroom help agent',
  usage: 'headroom help [COMMAND]',
  description: 'Prints the list of commands, or the help of COMMAND (the same as "headroom COMMAND --help").',
  options: {},
  exitCodes: [
    [0, 'printed'],
    [2, 'usage error: an unknown command, or more than one'],
  ],
  example: 'headroom help agent',
  run: helpCommand,
};

/** What `headroom --help` lists, and what `headroom help NAME` finds. */
const LISTED: readonly Command[] = [...COMMANDS, HELP_COMMAND];

/**
 * Runs the CLI with `argv` (without node and script); resolves to the exit code: the command's,
 * 0 for `--help`/`-h`/`help` (anywhere before `--`) and `--version`/`-v`, 2 for a usage error.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(mainHelp(LISTED, version()));
    return USAGE_ERROR;
  }
  if (name === '--help' || name === '-h') return print(io, mainHelp(LISTED, version()));
  if (name === '--version' || name === '-v') return print(io, `${version()}\n`);
  const command = find(name, io);
  if (command === undefined) return USAGE_ERROR;
  if (wantsHelp(rest)) return print(io, commandHelp(command));
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof HeadroomError) {
      io.stderr(`headroom ${name}: ${error.code}: ${error.message}\n`);
      return 1;
    }
    if (error instanceof UsageError) {
      io.stderr(`headroom ${name}: ${error.message}; see "headroom ${name} --help"\n`);
      return USAGE_ERROR;
    }
    throw error;
  }
}

/** `headroom help [command]`. */
function helpCommand(args: string[], io: CliIo): number {
  const [name, ...extra] = args;
  if (name === undefined) return print(io, mainHelp(LISTED, version()));
  if (extra.length > 0) {
    io.stderr(`headroom help: expected one command, got ${args.join(' ')}\n`);
    return USAGE_ERROR;
  }
  const command = find(name, io);
  return command === undefined ? USAGE_ERROR : print(io, commandHelp(command));
}

/** The command called `name`; otherwise says so on stderr, with the closest name. */
function find(name: string, io: CliIo): Command | undefined {
  const command = LISTED.find((candidate) => candidate.name === name);
  if (command !== undefined) return command;
  const option = name.startsWith('-');
  const names = option ? ['--help', '--version'] : LISTED.map((candidate) => candidate.name);
  const suggestion = didYouMean(name, names);
  const what = option ? 'option' : 'command';
  const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
  io.stderr(`headroom: unknown ${what} "${name}"${hint}; "headroom --help" lists the commands\n`);
  return undefined;
}

/** `--help` or `-h` before a `--` (after it, arguments are the command's, even `--help`). */
function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

function print(io: CliIo, text: string): number {
  io.stdout(text);
  return 0;
}

/** The version of the installed headroom-otel, from its package.json (a self-reference: source and dist alike). */
function version(): string {
  const manifest = createRequire(import.meta.url)('headroom-otel/package.json') as { version: string };
  return manifest.version;
}
