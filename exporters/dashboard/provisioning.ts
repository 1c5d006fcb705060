/**
 * Grafana file provisioning (https://grafana.com/docs/grafana/latest/administration/provisioning/#dashboards):
 * a provider that loads the dashboard JSON from a folder, so Grafana shows it at start-up and
 * reloads it when the file changes.
 */
import { stringify } from 'yaml';

/** File name of the provisioning file that `headroom dashboard --out DIR` writes. */
export const PROVISIONING_FILE = 'headroom-dashboards.yaml';

/**
 * Where Grafana reads the dashboard from, when nothing else is said: a folder of its own under
 * Grafana's conventional dashboards path (a provider per folder, so no dashboard is loaded twice).
 */
export const DEFAULT_DASHBOARDS_PATH = '/var/lib/grafana/dashboards/headroom';

export interface ProvisioningOptions {
  /** Folder Grafana reads the dashboard JSON from (as Grafana sees it). @default DEFAULT_DASHBOARDS_PATH */
  readonly path?: string;
  /** Grafana folder the dashboard appears in. @default 'Headroom' */
  readonly folder?: string;
}

/** The provisioning file's content (`apiVersion: 1`, one file provider). */
export function generateProvisioning(options: ProvisioningOptions = {}): Record<string, unknown> {
  return {
    apiVersion: 1,
    providers: [
      {
        name: 'headroom',
        orgId: 1,
        folder: options.folder ?? 'Headroom',
        type: 'file',
        disableDeletion: false,
        allowUiUpdates: false,
        updateIntervalSeconds: 30,
        options: { path: options.path ?? DEFAULT_DASHBOARDS_PATH, foldersFromFilesStructure: false },
      },
    ],
  };
}

/** The provisioning file as YAML. */
export function stringifyProvisioning(provisioning: Record<string, unknown>): string {
  return stringify(provisioning);
}
