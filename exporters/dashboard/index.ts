// Public face of exporters/dashboard: the Grafana dashboard and its file provisioning.
export { DASHBOARD_FILE, DASHBOARD_UID, generateDashboard, SCHEMA_VERSION } from './generate-dashboard.ts';
export {
  DEFAULT_DASHBOARDS_PATH,
  generateProvisioning,
  PROVISIONING_FILE,
  type ProvisioningOptions,
  stringifyProvisioning,
} from './provisioning.ts';
export type { DataPanel, Panel, PrometheusTarget, RowPanel } from './types.ts';
