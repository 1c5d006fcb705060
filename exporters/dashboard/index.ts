// Public face of exporters/dashboard: the Grafana dashboard and its file provisioning.
export { DASHBOARD_FILE, generateDashboard } from './generate-dashboard.ts';
export {
  DEFAULT_DASHBOARDS_PATH,
  generateProvisioning,
  PROVISIONING_FILE,
  stringifyProvisioning,
} from './provisioning.ts';
export type { DataPanel, Panel } from './types.ts';
