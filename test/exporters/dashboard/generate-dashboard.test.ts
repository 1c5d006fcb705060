import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/index.ts';
import {
  type DataPanel,
  generateDashboard,
  generateProvisioning,
  type Panel,
  stringifyProvisioning,
} from '../../../exporters/dashboard/index.ts';
import { generateRules } from '../../../exporters/rules/index.ts';
import { metricNames, selectors } from './promql-names.ts';

const WITH_SLO = parseConfig(
  [{ file: 't.yaml', text: 'slos:\n  - { name: a, context: emergency, objective: 99% }\n' }],
  {},
);
const WITHOUT_SLO = parseConfig([], {});

interface Dashboard {
  uid: string;
  schemaVersion: number;
  templating: { list: { name: string; type: string; query: unknown }[] };
  panels: Panel[];
}

function dashboard(config = WITH_SLO): Dashboard {
  return generateDashboard(config) as unknown as Dashboard;
}

function dataPanels(d: Dashboard): DataPanel[] {
  return d.panels.filter((panel): panel is DataPanel => panel.type !== 'row');
}

const SERIES_LABELS = ['service', 'operation', 'context', 'phase'];
const SLO_LABELS = ['service', 'sloth_id', 'sloth_service', 'sloth_slo', 'sloth_window'];
/** Every series the dashboard may read, with the labels it has: Headroom's metrics and the SLO rules. */
const KNOWN: Readonly<Record<string, readonly string[]>> = {
  headroom_operation_duration_seconds_bucket: [...SERIES_LABELS, 'le'],
  headroom_operation_duration_seconds_count: SERIES_LABELS,
  headroom_operations_total: SERIES_LABELS,
  headroom_operation_errors_total: SERIES_LABELS,
  headroom_budget_seconds: SERIES_LABELS,
  headroom_budget_utilization_ratio: SERIES_LABELS,
  headroom_degradation_level: ['service'],
  headroom_degradation_transitions_total: ['service', 'from', 'to', 'reason'],
  headroom_admission_rejection_probability: ['service', 'criticality'],
  headroom_admission_requests_total: ['service', 'criticality', 'outcome'],
  ...Object.fromEntries(
    generateRules(WITH_SLO)
      .groups.flatMap((group) => group.rules)
      .flatMap((rule) => ('record' in rule ? [[rule.record, SLO_LABELS]] : [])),
  ),
};

describe('generateDashboard', () => {
  it('should keep a stable uid and schema version, and give the same JSON every time', () => {
    const d = dashboard();
    expect([d.uid, d.schemaVersion]).toEqual(['headroom-overview', 39]);
    expect(JSON.stringify(generateDashboard(WITH_SLO))).toBe(JSON.stringify(d));
  });

  it('should offer the data source, service and context variables', () => {
    expect(dashboard().templating.list.map(({ name, type, query }) => ({ name, type, query }))).toEqual([
      { name: 'datasource', type: 'datasource', query: 'prometheus' },
      {
        name: 'service',
        type: 'query',
        query: {
          query: 'label_values(headroom_operation_duration_seconds_count, service)',
          refId: 'service-variable',
        },
      },
      {
        name: 'context',
        type: 'query',
        query: {
          query: 'label_values(headroom_operation_duration_seconds_count{service=~"$service"}, context)',
          refId: 'context-variable',
        },
      },
    ]);
  });

  it('should lay out the panels in sections, SLOs only when some are configured', () => {
    const titles = (d: Dashboard) => d.panels.map((panel) => `${panel.type}: ${panel.title}`);
    expect(titles(dashboard())).toEqual([
      'row: Degradation',
      'stat: Degradation level',
      'state-timeline: Degradation over time',
      'timeseries: Degradation decisions',
      'row: Admission (load shedding)',
      'timeseries: Rejection probability by class',
      'timeseries: Rejected requests by class',
      'row: Latency',
      'timeseries: Latency vs budget: $context',
      'heatmap: Duration distribution',
      'timeseries: Budget utilization',
      'row: SLOs',
      'bargauge: Error budget remaining',
      'timeseries: Error budget burn rate',
      'row: Traffic',
      'timeseries: Operations and errors',
      'timeseries: Error ratio',
    ]);
    expect(titles(dashboard(WITHOUT_SLO))).not.toContain('row: SLOs');
  });

  it('should give every panel a unique id and a place on the grid that overlaps no other', () => {
    const { panels } = dashboard();
    expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
    const cells = new Set<string>();
    for (const { gridPos } of panels) {
      expect(gridPos.x + gridPos.w).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it('should read only series that exist, with labels they have, on the selected data source', () => {
    for (const panel of dataPanels(dashboard())) {
      expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets.length).toBeGreaterThan(0);
      for (const target of panel.targets) {
        expect(target.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
        for (const name of metricNames(target.expr)) expect(Object.keys(KNOWN), panel.title).toContain(name);
        for (const { metric, labels } of selectors(target.expr)) {
          for (const label of labels) expect(KNOWN[metric], `${panel.title}: ${metric}`).toContain(label);
          expect(labels, `${panel.title}: ${metric}`).toContain('service');
        }
      }
    }
  });

  it('should draw p50, p95 and p99 from the histogram against the budget, repeated per context', () => {
    const latency = dataPanels(dashboard()).find((panel) => panel.title === 'Latency vs budget: $context');
    const rate =
      'sum by (service, le) (rate(headroom_operation_duration_seconds_bucket{service=~"$service",context=~"$context",phase=""}[$__rate_interval]))';
    expect(latency?.targets.map(({ refId, expr, legendFormat }) => ({ refId, expr, legendFormat }))).toEqual([
      { refId: 'A', expr: `histogram_quantile(0.5, ${rate})`, legendFormat: '{{service}} p50' },
      { refId: 'B', expr: `histogram_quantile(0.95, ${rate})`, legendFormat: '{{service}} p95' },
      { refId: 'C', expr: `histogram_quantile(0.99, ${rate})`, legendFormat: '{{service}} p99' },
      {
        refId: 'D',
        expr: 'max by (service) (headroom_budget_seconds{service=~"$service",context=~"$context",phase=""})',
        legendFormat: '{{service}} budget',
      },
    ]);
    expect([latency?.repeat, latency?.repeatDirection, latency?.fieldConfig.defaults]).toEqual([
      'context',
      'h',
      { unit: 's', min: 0 },
    ]);
  });

  it("should show each class's rejection probability and its rejected requests per second", () => {
    const panels = dataPanels(dashboard()).filter((panel) => panel.title.endsWith(' by class'));
    expect(
      panels.map(({ title, targets, fieldConfig }) => ({
        title,
        queries: targets.map(({ refId, expr, legendFormat }) => ({ refId, expr, legendFormat })),
        defaults: fieldConfig.defaults,
      })),
    ).toEqual([
      {
        title: 'Rejection probability by class',
        queries: [
          {
            refId: 'A',
            expr: 'max by (service, criticality) (headroom_admission_rejection_probability{service=~"$service"})',
            legendFormat: '{{service}} {{criticality}}',
          },
        ],
        defaults: { unit: 'percentunit', min: 0, max: 1 },
      },
      {
        title: 'Rejected requests by class',
        queries: [
          {
            refId: 'A',
            expr: 'sum by (service, criticality) (rate(headroom_admission_requests_total{service=~"$service",outcome="rejected"}[$__rate_interval]))',
            legendFormat: '{{service}} {{criticality}}',
          },
        ],
        defaults: { unit: 'reqps', min: 0 },
      },
    ]);
  });

  it('should show degradation levels by name, NONE to CRITICAL', () => {
    const level = dataPanels(dashboard()).find((panel) => panel.title === 'Degradation level');
    expect(level?.fieldConfig.defaults).toHaveProperty('mappings', [
      {
        type: 'value',
        options: {
          0: { text: 'NONE', color: 'green', index: 0 },
          1: { text: 'MINIMAL', color: 'yellow', index: 1 },
          2: { text: 'MODERATE', color: 'orange', index: 2 },
          3: { text: 'SEVERE', color: 'red', index: 3 },
          4: { text: 'CRITICAL', color: 'dark-red', index: 4 },
        },
      },
    ]);
  });
});

describe('generateProvisioning', () => {
  it('should write a Grafana file provider for the dashboard folder', () => {
    expect(stringifyProvisioning(generateProvisioning({ path: '/dashboards' }))).toBe(
      [
        'apiVersion: 1',
        'providers:',
        '  - name: headroom',
        '    orgId: 1',
        '    folder: Headroom',
        '    type: file',
        '    disableDeletion: false',
        '    allowUiUpdates: false',
        '    updateIntervalSeconds: 30',
        '    options:',
        '      path: /dashboards',
        '      foldersFromFilesStructure: false',
        '',
      ].join('\n'),
    );
    expect(generateProvisioning()).toMatchObject({
      providers: [{ options: { path: '/var/lib/grafana/dashboards/headroom' } }],
    });
  });
});
