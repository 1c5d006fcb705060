import { jsonSchema } from '../../config/index.ts';
import { type Command, parseCommandArgs } from './command.ts';
import type { CliIo } from './io.ts';

const OPTIONS = {} as const;

/** `headroom schema`: the JSON Schema editors use for completion and checks. */
function schemaCommand(args: string[], io: CliIo): number {
  parseCommandArgs(OPTIONS, args);
  io.stdout(`${JSON.stringify(jsonSchema(), null, 2)}\n`);
  return 0;
}

/** `headroom schema`, for the command list and its help. */
export const SCHEMA_COMMAND: Command = {
  name: 'schema',
  summary: 'print the JSON Schema of the configuration file (for editors)',
  usage: 'headroom schema',
  description:
    'Prints the JSON Schema of the configuration file, for editor completion and checks. The package ' +
    'ships the same file as node_modules/headroom-otel/schema/headroom.schema.json.',
  options: OPTIONS,
  exitCodes: [
    [0, 'printed'],
    [2, 'usage error'],
  ],
  example: 'headroom schema > headroom.schema.json',
  run: schemaCommand,
};
