import { writeFileSync } from 'node:fs';
import { loadConfig } from '../../config/index.ts';
import { generateRules, stringifyRules } from '../../exporters/rules/index.ts';
import { CONFIG_OPTION, type Command, parseCommandArgs } from './command.ts';
import type { CliIo } from './io.ts';

const OPTIONS = {
  config: CONFIG_OPTION,
  out: {
    type: 'string',
    short: 'o',
    value: 'FILE',
    help: 'write the rules to FILE instead of printing them',
  },
} as const;

/**
 * `headroom rules --config FILE [--config FILE] [--out FILE]`: the Prometheus recording and
 * alerting rules of the configured SLOs, printed or written to FILE. 0 when done, 1 for an
 * invalid configuration or an unwritable FILE, 2 for bad arguments, 3 when the configuration has
 * no `slos` (nothing is printed or written: an empty rule file would look like success).
 * @example
 * headroom rules --config headroom.yaml --out /etc/prometheus/rules/headroom.yaml
 */
function rulesCommand(args: string[], io: CliIo): number {
  const { values } = parseCommandArgs(OPTIONS, args);
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

/** `headroom rules`, for the command list and its help. */
export const RULES_COMMAND: Command = {
  name: 'rules',
  summary: 'print or write the Prometheus SLO recording and alerting rules',
  usage: 'headroom rules --config FILE [--config FILE] [--out FILE]',
  description:
    'Prints the Prometheus recording and multi-window burn-rate alerting rules of the SLOs configured ' +
    'under `slos`, or writes them to FILE (then prints how many). The rules pass `promtool check rules`.',
  options: OPTIONS,
  exitCodes: [
    [0, 'done'],
    [1, 'invalid configuration, or FILE cannot be written'],
    [2, 'usage error'],
    [NO_SLOS, 'no `slos` configured: nothing printed or written'],
  ],
  example: 'headroom rules --config headroom.yaml --out /etc/prometheus/rules/headroom.yaml',
  run: rulesCommand,
};
