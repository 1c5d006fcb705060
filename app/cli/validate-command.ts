import { loadConfig } from '../../config/index.ts';
import { parseConfigArgs } from './args.ts';
import type { CliIo } from './io.ts';

/** `headroom validate --config FILE...`: 0 when valid, 1 with every problem on stderr. */
export function validateCommand(args: string[], io: CliIo): number {
  const files = parseConfigArgs(args).values.config ?? [];
  const config = loadConfig({ files, env: io.env });
  const contexts = Object.entries(config.contexts)
    .map(([name, context]) => `${name} ${context.budgetMs}ms ${context.percentile}`)
    .join(', ');
  const what = files.length === 0 ? 'defaults' : files.join(', ');
  io.stdout(`${what}: valid (contexts: ${contexts}; ${config.rules.length} rules)\n`);
  return 0;
}
