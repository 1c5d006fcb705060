/**
 * The `headroom` command line. Each command is a function returning an exit code; `main` parses
 * the arguments and never calls `process.exit`, so tests run it in-process.
 */
import { didYouMean } from '../../config/index.ts';
import { HeadroomError } from '../../errors.ts';
import { collectorCommand } from './collector-command.ts';
import { dashboardCommand } from './dashboard-command.ts';
import { demoCommand } from './demo-command.ts';
import { type CliIo, processIo } from './io.ts';
import { rulesCommand } from './rules-command.ts';
import { schemaCommand } from './schema-command.ts';
import { stateCommand } from './state-command.ts';
import { validateCommand } from './validate-command.ts';

interface Command {
  readonly summary: string;
  readonly run: (args: string[], io: CliIo) => Promise<number> | number;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  validate: {
    summary: 'check configuration files: headroom validate --config FILE [--config FILE]',
    run: validateCommand,
  },
  schema: { summary: 'print the JSON Schema of the configuration file (for editors)', run: schemaCommand },
  agent: {
    summary:
      'collector mode: receive OTLP from many services, serve decisions (headroom agent --config FILE)',
    run: collectorCommand,
  },
  rules: {
    summary: 'print Prometheus SLO recording and alerting rules: headroom rules --config FILE [--out FILE]',
    run: rulesCommand,
  },
  dashboard: {
    summary:
      'write the Grafana dashboard and provisioning file: headroom dashboard --config FILE [--out DIR]',
    run: dashboardCommand,
  },
  state: {
    summary: 'print the stored durable state as JSON: headroom state export --config FILE',
    run: stateCommand,
  },
  demo: {
    summary:
      'run the demo service: a slowdown, the degradation, the recovery (headroom demo [--duration 60s])',
    run: demoCommand,
  },
};

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    const suggestion = didYouMean(name, Object.keys(COMMANDS));
    const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
    io.stderr(`headroom: unknown command "${name}"${hint}\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof HeadroomError) {
      io.stderr(`headroom ${name}: ${error.code}: ${error.message}\n`);
      return 1;
    }
    if (isArgumentError(error)) {
      io.stderr(`headroom ${name}: ${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
}

function isArgumentError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(
    ([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`,
  );
  return `Usage: headroom <command> [options]\n\nCommands:\n${lines.join('\n')}\n`;
}
