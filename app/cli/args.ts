import { parseArgs } from 'node:util';

/** Parses `--config FILE` (repeatable, later files win). */
export function parseConfigArgs(args: string[]) {
  return parseArgs({
    args,
    options: { config: { type: 'string', short: 'c', multiple: true } },
    strict: true,
  });
}
