import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.ts';
import { generateRules, stringifyRules } from '../../exporters/rules/index.ts';
import type { CliIo } from './io.ts';

/**
 * `headroom rules --config FILE [--config FILE] [--out FILE]`: the Prometheus recording and
 * alerting rules of the configured SLOs, printed or written to FILE. 0 when done, 1 for an
 * invalid configuration or an unwritable FILE, 2 for bad arguments, 3 when the configuration has
 * no `slos` (nothing is printed or written: an empty rule file would look like success).
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
  if (config.slos.length === 0) {
    const files = values.config === undefined ? 'the default configuration' : values.config.join(', ');
    io.stderr(
      `headroom rules: no SLOs configured in ${files}: add an entry under \`slos\` (see the README, "SLOs and alerting"); no rules written\n`,
    );
    return NO_SLOS;
  }
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

/** Exit code of `headroom rules` for a configuration without SLOs. */
const NO_SLOS = 3;
