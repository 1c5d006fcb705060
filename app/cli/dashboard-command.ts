import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import {
  DASHBOARD_FILE,
  DEFAULT_DASHBOARDS_PATH,
  generateDashboard,
  generateProvisioning,
  PROVISIONING_FILE,
  stringifyProvisioning,
} from '../../exporters/dashboard/index.ts';
import { CONFIG_OPTION, type Command, parseCommandArgs } from './command.ts';
import type { CliIo } from './io.ts';

const OPTIONS = {
  config: CONFIG_OPTION,
  out: {
    type: 'string',
    short: 'o',
    value: 'DIR',
    help: 'write the dashboard and a provisioning file to DIR (created if missing) instead of printing the dashboard',
  },
  'grafana-path': {
    type: 'string',
    value: 'PATH',
    help: `the folder of the dashboard on the Grafana host, for the provisioning file (with --out; default ${DEFAULT_DASHBOARDS_PATH})`,
  },
} as const;

/**
 * `headroom dashboard --config FILE [--out DIR [--grafana-path PATH]]`: the Grafana dashboard JSON,
 * printed, or written to DIR with a provisioning file whose provider reads it from PATH, the folder
 * as the Grafana host sees it (default {@link DEFAULT_DASHBOARDS_PATH}, under Grafana's
 * conventional `/var/lib/grafana/dashboards`; never the local DIR, which breaks once the files are
 * copied to Grafana). 0 when done, 1 for an invalid configuration or an unwritable DIR, 2 for bad
 * arguments.
 * @example
 * headroom dashboard --config headroom.yaml --out ./grafana --grafana-path /srv/grafana/dashboards
 */
function dashboardCommand(args: string[], io: CliIo): number {
  const { values } = parseCommandArgs(OPTIONS, args);
  const config = loadConfig({ files: values.config ?? [], env: io.env });
  const json = `${JSON.stringify(generateDashboard(config), null, 2)}\n`;
  if (values.out === undefined) {
    if (values['grafana-path'] !== undefined) {
      io.stderr('headroom dashboard: --grafana-path needs --out DIR\n');
      return 2;
    }
    io.stdout(json);
    return 0;
  }
  const grafanaPath = values['grafana-path'] ?? DEFAULT_DASHBOARDS_PATH;
  const provisioning = generateProvisioning({ path: grafanaPath });
  const files = [join(values.out, DASHBOARD_FILE), join(values.out, PROVISIONING_FILE)];
  try {
    mkdirSync(values.out, { recursive: true });
    writeFileSync(files[0] as string, json);
    writeFileSync(files[1] as string, stringifyProvisioning(provisioning));
  } catch (error) {
    io.stderr(`headroom dashboard: cannot write to ${values.out}: ${(error as Error).message}\n`);
    return 1;
  }
  io.stdout(
    `wrote ${files.join(' and ')}\n` +
      `copy ${DASHBOARD_FILE} to ${grafanaPath} on the Grafana host (--grafana-path to change it) and ` +
      `${PROVISIONING_FILE} to Grafana's provisioning/dashboards folder\n`,
  );
  return 0;
}

/** `headroom dashboard`, for the command list and its help. */
export const DASHBOARD_COMMAND: Command = {
  name: 'dashboard',
  summary: 'print or write the Grafana dashboard and its provisioning file',
  usage: 'headroom dashboard --config FILE [--config FILE] [--out DIR [--grafana-path PATH]]',
  description:
    'Prints the Grafana dashboard JSON for the configuration (its contexts and SLOs), ' +
    `or writes it to DIR as ${DASHBOARD_FILE} with ${PROVISIONING_FILE}, a provisioning file whose provider ` +
    'reads the dashboard from PATH, the folder as the Grafana host sees it (never the local DIR).',
  options: OPTIONS,
  exitCodes: [
    [0, 'done'],
    [1, 'invalid configuration, or DIR cannot be written'],
    [2, 'usage error (--grafana-path without --out, say)'],
  ],
  example: 'headroom dashboard --config headroom.yaml --out ./grafana --grafana-path /srv/grafana/dashboards',
  run: dashboardCommand,
};
