import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.ts';
import { generateRules, stringifyRules } from '../../exporters/rules/index.ts';
import type { CliIo } from './io.ts';

/**
 * `headroom rules --config FILE [--config FILE] [--out FILE]`: the Prometheus recording and
 * alerting rules of the configured SLOs, printed or written to FILE. 0 when done, 1 for an
 * invalid configuration or an unwritable FILE, 2 for bad arguments.
 * @example
 * headroom rules --config headroom.yaml --out /etc/prometheus/rules/headroom.yaml
 */
export function rulesCommand(args: string[], io: CliIo): number {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c', multiple: true },
      out: { type: 'string', short: 'o' },
    },
    strict: true,
  });
  const config = loadConfig({ files: values.config ?? [], env: io.env });
  const rules = generateRules(config);
  const yaml = stringifyRules(rules);
  if (values.out === undefined) {
    io.stdout(yaml);
    return 0;
  }
  try {
    writeFileSync(values.out, yaml);
  } catch (error) {
    io.stderr(`headroom rules: cannot write ${values.out}: ${(error as Error).message}\n`);
    return 1;
  }
  const count = rules.groups.reduce((sum, group) => sum + group.rules.length, 0);
  io.stdout(`${values.out}: ${count} rules for ${config.slos.length} SLOs\n`);
  return 0;
}
