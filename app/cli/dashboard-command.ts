import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.ts';
import {
  DASHBOARD_FILE,
  DEFAULT_DASHBOARDS_PATH,
  generateDashboard,
  generateProvisioning,
  PROVISIONING_FILE,
  stringifyProvisioning,
} from '../../exporters/dashboard/index.ts';
import type { CliIo } from './io.ts';

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
export function dashboardCommand(args: string[], io: CliIo): number {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c', multiple: true },
      out: { type: 'string', short: 'o' },
      'grafana-path': { type: 'string' },
    },
    strict: true,
  });
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
