/**
 * `ui.externalUrl` links alerts to the live view: the generated Prometheus rules carry a
 * `headroom_url` annotation templated on the alert's labels, checked by promtool evaluating them
 * (a service without a namespace gets `_`, names are escaped), and the agent's own alerts carry
 * the same link.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headroomUrl } from '../../../agent/alerting/headroom-url.ts';
import { parseConfig } from '../../../config/index.ts';
import { generateRules, stringifyRules } from '../../../exporters/rules/index.ts';
import { promtool } from './promtool.ts';

const CONFIG = [
  'service: { name: shop }',
  'slos: [{ name: emergency-latency, context: emergency, objective: 99%, window: 30d }]',
  'ui: { externalUrl: "https://headroom.example.com/ops/" }',
].join('\n');

const SUMMARY =
  '"{{SERVICE}} spends the error budget of SLO emergency-latency too fast (emergency: 99% within budget and successful over 30d)"';

/** A promtool unit test: every event bad for both services, both alerts of each fire at 10m. */
function unitTest(): string {
  const series = (labels: string, outcome: string, values: string) =>
    `      - series: 'headroom_slo_events_total{slo="emergency-latency",${labels}outcome="${outcome}"}'\n        values: "${values}"`;
  const start = (labels: string) =>
    `      - series: 'headroom_slo_events_start_time_seconds{slo="emergency-latency",${labels}}'\n        values: "0x20"`;
  const alert = (service: string, namespace: string | undefined, severity: string, url: string) =>
    [
      '          - exp_labels:',
      `              service: "${service}"`,
      ...(namespace === undefined ? [] : [`              service_namespace: ${namespace}`]),
      `              severity: ${severity}`,
      '              sloth_id: shop-emergency-latency',
      '              sloth_service: shop',
      '              sloth_slo: emergency-latency',
      `              sloth_severity: ${severity}`,
      '            exp_annotations:',
      `              summary: ${SUMMARY.replace('{{SERVICE}}', service)}`,
      `              title: "(${severity}) ${service} emergency-latency SLO error budget burn rate is too fast."`,
      `              headroom_url: "${url}"`,
    ].join('\n');
  return [
    'rule_files: [rules.yaml]',
    'evaluation_interval: 1m',
    'group_eval_order: [sloth-slo-sli-recordings-shop-emergency-latency, sloth-slo-meta-recordings-shop-emergency-latency, sloth-slo-alerts-shop-emergency-latency]',
    'tests:',
    '  - interval: 1m',
    '    input_series:',
    series('service="checkout",', 'bad', '0+100x20'),
    series('service="checkout",', 'good', '0x20'),
    start('service="checkout"'),
    series('service_namespace="eu",service="a/b c",', 'bad', '0+100x20'),
    series('service_namespace="eu",service="a/b c",', 'good', '0x20'),
    start('service_namespace="eu",service="a/b c"'),
    '    alert_rule_test:',
    '      - eval_time: 10m',
    '        alertname: EmergencyLatencyHighErrorRate',
    '        exp_alerts:',
    alert('checkout', undefined, 'page', 'https://headroom.example.com/ops/ui/services/_/checkout'),
    alert('checkout', undefined, 'ticket', 'https://headroom.example.com/ops/ui/services/_/checkout'),
    alert('a/b c', 'eu', 'page', 'https://headroom.example.com/ops/ui/services/eu/a%2Fb+c'),
    alert('a/b c', 'eu', 'ticket', 'https://headroom.example.com/ops/ui/services/eu/a%2Fb+c'),
    '',
  ].join('\n');
}

describe('headroom_url', () => {
  it('should be templated into the generated alerts and pass promtool check rules and test rules', () => {
    const config = parseConfig([{ file: 'headroom.yaml', text: CONFIG }], {});
    const rules = generateRules(config);
    const alerts = rules.groups.at(-1)?.rules ?? [];
    expect(
      alerts.map((rule) => ('annotations' in rule ? rule.annotations?.headroom_url : undefined)),
    ).toEqual([
      'https://headroom.example.com/ops/ui/services/{{ if $labels.service_namespace }}{{ $labels.service_namespace | urlquery }}{{ else }}_{{ end }}/{{ $labels.service | urlquery }}',
      'https://headroom.example.com/ops/ui/services/{{ if $labels.service_namespace }}{{ $labels.service_namespace | urlquery }}{{ else }}_{{ end }}/{{ $labels.service | urlquery }}',
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'headroom-url-rules-'));
    writeFileSync(join(dir, 'rules.yaml'), stringifyRules(rules));
    writeFileSync(join(dir, 'test.yaml'), unitTest());
    const check = promtool('check', 'rules', join(dir, 'rules.yaml'));
    expect(check.code).toBe(0);
    const test = promtool('test', 'rules', join(dir, 'test.yaml'));
    expect(test.output).toContain('SUCCESS');
    expect(test.code).toBe(0);
  }, 60_000);

  it('should leave rules without ui.externalUrl as they were', () => {
    const config = parseConfig(
      [{ file: 'headroom.yaml', text: CONFIG.split('\n').slice(0, 2).join('\n') }],
      {},
    );
    const alerts = generateRules(config).groups.at(-1)?.rules ?? [];
    expect(alerts.map((rule) => ('annotations' in rule ? Object.keys(rule.annotations ?? {}) : []))).toEqual([
      ['summary', 'title'],
      ['summary', 'title'],
    ]);
  });

  it("should link an agent alert to its service's page, '_' standing for no namespace", () => {
    const base = 'https://headroom.example.com';
    expect([
      headroomUrl(base, { service: 'checkout', service_namespace: 'shop' }),
      headroomUrl(base, { service: 'checkout' }),
      headroomUrl(base, { service: 'a/b c', service_namespace: 'e u' }),
      headroomUrl(base, { slo: 'x' }),
      headroomUrl('', { service: 'checkout' }),
    ]).toEqual([
      'https://headroom.example.com/ui/services/shop/checkout',
      'https://headroom.example.com/ui/services/_/checkout',
      'https://headroom.example.com/ui/services/e%20u/a%2Fb%20c',
      undefined,
      undefined,
    ]);
  });
});
