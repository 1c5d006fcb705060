import { loadConfig } from '../../config/index.ts';
import { CONFIG_OPTION, type Command, parseCommandArgs } from './command.ts';
import type { CliIo } from './io.ts';

const OPTIONS = { config: CONFIG_OPTION } as const;

/** `headroom validate --config FILE...`: 0 when valid, 1 with every problem on stderr. */
function validateCommand(args: string[], io: CliIo): number {
  const files = parseCommandArgs(OPTIONS, args).values.config ?? [];
  const config = loadConfig({ files, env: io.env });
  const contexts = Object.entries(config.contexts)
    .map(([name, context]) => `${name} ${context.budgetMs}ms ${context.percentile}`)
    .join(', ');
  const what = files.length === 0 ? 'defaults' : files.join(', ');
  io.stdout(`${what}: valid (contexts: ${contexts}; ${config.rules.length} rules)\n`);
  return 0;
}

/** `headroom validate`, for the command list and its help. */
export const VALIDATE_COMMAND: Command = {
  name: 'validate',
  summary: 'check configuration files',
  usage: 'headroom validate --config FILE [--config FILE]',
  description:
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration's ${NAME} syntax, shown to the user.
    'Checks configuration files as Headroom reads them (${NAME} references and OTEL_* variables ' +
    'resolved from the environment) and prints a summary, or every problem with its file, line, ' +
    'column and YAML path. Without --config it checks the defaults.',
  options: OPTIONS,
  exitCodes: [
    [0, 'valid'],
    [1, 'invalid, or a file cannot be read (every problem on stderr)'],
    [2, 'usage error'],
  ],
  example: 'headroom validate --config headroom.yaml --config production.yaml',
  run: validateCommand,
};
