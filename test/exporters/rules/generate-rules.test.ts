import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/index.ts';
import { generateRules, stringifyRules } from '../../../exporters/rules/index.ts';
import { metricNames, selectors } from '../dashboard/promql-names.ts';

function config(text: string) {
  return parseConfig([{ file: 'test.yaml', text }], {});
}

const ONE_SLO =
  'service: { name: shop }\nslos:\n  - { name: emergency-latency, context: emergency, objective: 99% }\n';
const LABELS = { sloth_id: 'shop-emergency-latency', sloth_service: 'shop', sloth_slo: 'emergency-latency' };
const SELECTOR = '{sloth_id="shop-emergency-latency", sloth_service="shop", sloth_slo="emergency-latency"}';

function sli(window: string, seconds: number) {
  const started = `(headroom_slo_events_start_time_seconds{slo="emergency-latency"} > time() - ${seconds})`;
  const events = `slo:sli_events:increase${window}`;
  return [
    {
      record: events,
      expr: [
        'sum by (service_namespace, service, outcome) (',
        '  (',
        `    headroom_slo_events_total{slo="emergency-latency"} - headroom_slo_events_total{slo="emergency-latency"} offset ${window}`,
        `    unless ignoring (outcome) ${started}`,
        '  )',
        '  or',
        `  (headroom_slo_events_total{slo="emergency-latency"} and ignoring (outcome) ${started})`,
        ')',
      ].join('\n'),
      labels: { ...LABELS, sloth_window: window },
    },
    {
      record: `slo:sli_error:ratio_rate${window}`,
      expr: [
        `sum without (outcome) (${events}${SELECTOR.slice(0, -1)}, outcome="bad"})`,
        `/ (sum without (outcome) (${events}${SELECTOR}) > 0)`,
        `or sum without (outcome) (${events}${SELECTOR}) * 0`,
      ].join('\n'),
      labels: { ...LABELS, sloth_window: window },
    },
  ];
}

const WINDOWS: [string, number][] = [
  ['5m', 300],
  ['30m', 1800],
  ['1h', 3600],
  ['2h', 7200],
  ['6h', 21_600],
  ['1d', 86_400],
  ['3d', 259_200],
];

function alert(severity: string, pairs: [string, string, string][]) {
  const above = (window: string, factor: string) =>
    `max(slo:sli_error:ratio_rate${window}${SELECTOR} > (${factor} * 0.01)) without (sloth_window)`;
  return {
    alert: 'EmergencyLatencyHighErrorRate',
    expr: pairs
      .map(([short, long, factor]) => `(\n  ${above(short, factor)}\n  and\n  ${above(long, factor)}\n)`)
      .join('\nor\n'),
    labels: { severity, sloth_severity: severity },
    annotations: {
      summary:
        '{{$labels.service}} spends the error budget of SLO emergency-latency too fast (emergency: 99% within budget and successful over 30d)',
      title: `(${severity}) {{$labels.service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.`,
    },
  };
}

describe('generateRules', () => {
  it('should generate Sloth-style SLI, metadata and alert groups for one SLO', () => {
    expect(generateRules(config(ONE_SLO))).toEqual({
      groups: [
        {
          name: 'sloth-slo-sli-recordings-shop-emergency-latency',
          rules: [
            ...[...WINDOWS, ['30d', 2_592_000] as [string, number]].flatMap(([w, seconds]) =>
              sli(w, seconds),
            ),
          ],
        },
        {
          name: 'sloth-slo-meta-recordings-shop-emergency-latency',
          rules: [
            { record: 'slo:objective:ratio', expr: 'vector(0.99)', labels: LABELS },
            { record: 'slo:error_budget:ratio', expr: 'vector(1-0.99)', labels: LABELS },
            { record: 'slo:time_period:days', expr: 'vector(30)', labels: LABELS },
            {
              record: 'slo:current_burn_rate:ratio',
              expr: `slo:sli_error:ratio_rate5m${SELECTOR}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio${SELECTOR}`,
              labels: LABELS,
            },
            {
              record: 'slo:period_burn_rate:ratio',
              expr: `slo:sli_error:ratio_rate30d${SELECTOR}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio${SELECTOR}`,
              labels: LABELS,
            },
            {
              record: 'slo:period_error_budget_remaining:ratio',
              expr: `1 - slo:period_burn_rate:ratio${SELECTOR}`,
              labels: LABELS,
            },
            {
              record: 'sloth_slo_info',
              expr: 'vector(1)',
              labels: { ...LABELS, sloth_mode: 'headroom', sloth_objective: '99' },
            },
          ],
        },
        {
          name: 'sloth-slo-alerts-shop-emergency-latency',
          rules: [
            alert('page', [
              ['5m', '1h', '14.4'],
              ['30m', '6h', '6'],
            ]),
            alert('ticket', [
              ['2h', '1d', '3'],
              ['6h', '3d', '1'],
            ]),
          ],
        },
      ],
    });
  });

  it('should scale the burn-rate factors with the SLO period as Sloth does', () => {
    const factors = (window: string) => {
      const text = `slos:\n  - { name: s, context: routine, objective: 99.9%, window: ${window} }\n`;
      const alerts = generateRules(config(text)).groups[2]?.rules ?? [];
      return alerts.flatMap((rule) => [...rule.expr.matchAll(/> \((\S+) \* 0\.001\)/g)].map((m) => m[1]));
    };
    // Each pair's factor appears twice: once per window.
    expect(factors('30d')).toEqual(['14.4', '14.4', '6', '6', '3', '3', '1', '1']);
    expect(factors('28d')).toEqual([
      '13.44',
      '13.44',
      '5.6',
      '5.6',
      '2.8',
      '2.8',
      '0.933333333333',
      '0.933333333333',
    ]);
    expect(factors('7d')).toEqual([
      '3.36',
      '3.36',
      '1.4',
      '1.4',
      '0.7',
      '0.7',
      '0.233333333333',
      '0.233333333333',
    ]);
  });

  it("should read an SLO's own counters whatever its scope (the agent matched the operations)", () => {
    const text = [
      'rules:',
      '  - { match: { spanName: pay }, context: routine, operation: pay, budget: 100ms }',
      'slos:',
      '  - { name: pay, operation: pay, objective: 99% }',
      '  - { name: eu-routine, namespace: eu, context: routine, objective: 99% }',
    ].join('\n');
    const groups = generateRules(config(text)).groups;
    const reads = (group: number) =>
      new Set(
        (groups[group]?.rules ?? [])
          .filter((rule) => 'record' in rule && rule.record.startsWith('slo:sli_events:'))
          .flatMap((rule) =>
            selectors(rule.expr).map(({ metric }) => metric + rule.expr.match(/\{slo="[^"]*"\}/)?.[0]),
          ),
      );
    expect(reads(0)).toEqual(
      new Set(['headroom_slo_events_total{slo="pay"}', 'headroom_slo_events_start_time_seconds{slo="pay"}']),
    );
    expect(reads(3)).toEqual(
      new Set([
        'headroom_slo_events_total{slo="eu-routine"}',
        'headroom_slo_events_start_time_seconds{slo="eu-routine"}',
      ]),
    );
  });

  it('should escape label values and name the alert after the SLO', () => {
    const text =
      'slos:\n  - { name: api_v2-reads, context: routine, operation: \'GET "/x"\', objective: 99% }\n';
    const { groups } = generateRules(config(text));
    expect(groups[0]?.rules[0]?.expr).toContain('headroom_slo_events_total{slo="api_v2-reads"}');
    expect(groups[2]?.rules.map((rule) => ('alert' in rule ? rule.alert : ''))).toEqual([
      'ApiV2ReadsHighErrorRate',
      'ApiV2ReadsHighErrorRate',
    ]);
    expect(groups[1]?.rules[0]?.labels).toEqual({
      sloth_id: 'headroom-api_v2-reads',
      sloth_service: 'headroom',
      sloth_slo: 'api_v2-reads',
    });
  });

  it('should not record the period twice when it is one of the alert windows', () => {
    const text = 'slos:\n  - { name: daily, context: routine, objective: 95%, window: 1d }\n';
    const [sliGroup, metaGroup] = generateRules(config(text)).groups;
    expect(sliGroup?.rules.map((rule) => ('record' in rule ? rule.record : ''))).toEqual(
      ['5m', '30m', '1h', '2h', '6h', '1d', '3d'].flatMap((window) => [
        `slo:sli_events:increase${window}`,
        `slo:sli_error:ratio_rate${window}`,
      ]),
    );
    expect(metaGroup?.rules[2]?.expr).toBe('vector(1)');
    expect(metaGroup?.rules[4]?.expr).toMatch(/^slo:sli_error:ratio_rate1d\{/);
  });

  it('should generate no groups without SLOs', () => {
    expect(generateRules(config(''))).toEqual({ groups: [] });
    expect(stringifyRules({ groups: [] })).toMatch(/\ngroups: \[\]\n$/);
  });

  it('should only read metrics Headroom exports and series the file records', () => {
    const rules = generateRules(
      config(`${ONE_SLO}  - { name: pay, operation: pay, objective: 99.5%, window: 7d }\n`),
    );
    const all = rules.groups.flatMap((group) => group.rules);
    const recorded = new Set(all.flatMap((rule) => ('record' in rule ? [rule.record] : [])));
    const exported = ['headroom_slo_events_total', 'headroom_slo_events_start_time_seconds'];
    for (const rule of all) {
      const expr = rule.expr.replace(/offset \w+/g, '').replace(/time\(\)/g, '');
      for (const name of metricNames(expr)) expect([...exported, ...recorded]).toContain(name);
      for (const { metric, labels } of selectors(expr)) {
        const allowed = exported.includes(metric)
          ? ['slo', 'service_namespace', 'service', 'outcome']
          : ['sloth_id', 'sloth_service', 'sloth_slo', 'outcome'];
        for (const label of labels) expect(allowed).toContain(label);
      }
    }
  });

  it('should write YAML with block expressions, no anchors and a do-not-edit header', () => {
    const yaml = stringifyRules(generateRules(config(ONE_SLO)));
    expect(yaml.split('\n')[0]).toBe(
      '# Generated by `headroom rules` from the Headroom configuration: regenerate, do not edit.',
    );
    expect(yaml).not.toMatch(/[&*]a\d/);
    expect(yaml).toContain(
      '      - record: slo:sli_events:increase5m\n        expr: |-\n          sum by (service_namespace, service, outcome) (\n',
    );
  });
});
