/**
 * The Grafana dashboard for Headroom's Prometheus metrics: latency against budget per context,
 * the duration heatmap, SLO error budgets and burn rates (from `headroom rules`), degradation
 * levels, admission (rejection probability and rejected requests per criticality class), and traffic. Its uid is stable, so re-provisioning replaces it instead of adding one.
 */
import type { ResolvedConfig } from '../../config/index.ts';
import { admissionSection } from './admission-panels.ts';
import { degradationSection } from './degradation-panels.ts';
import { latencySection } from './latency-panels.ts';
import { layout } from './layout.ts';
import { sloSection } from './slo-panels.ts';
import { trafficSection } from './traffic-panels.ts';
import { variables } from './variables.ts';

/** The dashboard's uid: links and provisioning find it by this. */
const DASHBOARD_UID = 'headroom-overview';

/** File name of the dashboard JSON that `headroom dashboard --out DIR` writes. */
export const DASHBOARD_FILE = 'headroom-dashboard.json';

/** Grafana's dashboard schema version the JSON is written in (Grafana 10.4 / 11). */
const SCHEMA_VERSION = 39;

/**
 * The dashboard JSON model. The SLO section is there only when `config` has SLOs: its panels
 * read the recording rules `headroom rules` generates for them.
 * @example
 * writeFileSync('headroom-dashboard.json', JSON.stringify(generateDashboard(config), null, 2));
 */
export function generateDashboard(config: ResolvedConfig): Record<string, unknown> {
  const sections = [
    degradationSection(),
    admissionSection(),
    latencySection(),
    ...(config.slos.length > 0 ? [sloSection()] : []),
    trafficSection(),
  ];
  return {
    uid: DASHBOARD_UID,
    title: 'Headroom',
    description:
      'Latency budgets, SLOs, degradation and load shedding of services instrumented with Headroom.',
    tags: ['headroom', 'latency', 'slo'],
    timezone: 'browser',
    editable: true,
    graphTooltip: 1,
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    refresh: '30s',
    fiscalYearStartMonth: 0,
    liveNow: false,
    links: [],
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    templating: { list: variables() },
    panels: layout(sections),
  };
}
