/**
 * `ui.externalUrl` links alerts to the live view: the generated Prometheus rules carry a
 * `headroom_url` annotation templated on the alert's labels, checked by promtool evaluating them,
 * and the agent's own alerts carry the page's link. One rule writes a name as a path segment
 * (view/static/format.js `servicePath`): for the class of names below (spaces, `+`, `/`, `%`, `?`,
 * `#`, quotes, unicode, a leading `_`, `.`, `..`, template text) the rules' rendered link and the
 * agent's are read back to the name by the page's own parser.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headroomUrl } from '../../../agent/alerting/headroom-url.ts';
import { parseConfig } from '../../../config/index.ts';
import { generateRules, stringifyRules } from '../../../exporters/rules/index.ts';
import { promtool } from './promtool.ts';

interface ServiceId {
  readonly namespace: string;
  readonly service: string;
}

/** The page's own path functions (view/static/format.js, plain JS served to the browser). */
const { parseServicePath, servicePath } = (await import('../../../view/static/format.js' as string)) as {
  parseServicePath(path: string): ServiceId | undefined;
  servicePath(id: ServiceId): string;
};

const BASE = 'https://headroom.example.com';

/**
 * [namespace ('' for none), service, the path the rule writes]: every character class once. Go's
 * `urlquery` also escapes `!'()*`, which the page's `encodeURIComponent` keeps: the two links differ
 * in those only, and the page reads both to the same name.
 */
const NAMES: readonly (readonly [string, string, string])[] = [
  ['', 'checkout', '_/checkout'],
  ['eu', 'a/b c', 'eu/a%2Fb%20c'],
  ['a b', 'svc one', 'a%20b/svc%20one'],
  ['x', 'a+b', 'x/a%2Bb'],
  ['x', 'a+b c', 'x/a%2Bb%20c'],
  ['p%q', '100%', 'p%25q/100%25'],
  ['q?', 'what?#frag', 'q%3F/what%3F%23frag'],
  ['ü', 'café ☕', '%C3%BC/caf%C3%A9%20%E2%98%95'],
  ['_', 'under', '__/under'],
  ['x', '_lead_', 'x/__lead_'],
  ['x', '__', 'x/___'],
  ['x', '.', 'x/_.'],
  ['..', '..', '_../_..'],
  ['x', '...', 'x/...'],
  ['x', '._', 'x/._'],
  ['x', "it's (a)*!~", 'x/it%27s%20%28a%29%2A%21~'],
  ['x', 'a"b\\c;d&e=f@g:h,i$j', 'x/a%22b%5Cc%3Bd%26e%3Df%40g%3Ah%2Ci%24j'],
  ['x', '{{ $labels.service }}', 'x/%7B%7B%20%24labels.service%20%7D%7D'],
  ['x', 'a_b.c-d~e', 'x/a_b.c-d~e'],
];

const SUMMARY = (service: string) =>
  `${service} spends the error budget of SLO emergency-latency too fast (emergency: 99% within budget and successful over 30d)`;

/** A label value inside a single-quoted YAML string holding a PromQL series selector. */
function seriesValue(text: string): string {
  return JSON.stringify(text).replaceAll("'", "''");
}

function labelsOf(namespace: string, service: string): string {
  const ns = namespace === '' ? '' : `service_namespace=${seriesValue(namespace)},`;
  return `${ns}service=${seriesValue(service)}`;
}

/** A promtool unit test: every event bad for every service, both alerts of each fire at 10m. */
function unitTest(): string {
  const input = NAMES.flatMap(([namespace, service]) => {
    const labels = labelsOf(namespace, service);
    return [
      `      - series: 'headroom_slo_events_total{slo="emergency-latency",${labels},outcome="bad"}'\n        values: "0+100x20"`,
      `      - series: 'headroom_slo_events_total{slo="emergency-latency",${labels},outcome="good"}'\n        values: "0x20"`,
      `      - series: 'headroom_slo_events_start_time_seconds{slo="emergency-latency",${labels}}'\n        values: "0x20"`,
    ];
  });
  const alerts = NAMES.flatMap(([namespace, service, path]) =>
    ['page', 'ticket'].map((severity) =>
      [
        '          - exp_labels:',
        `              service: ${JSON.stringify(service)}`,
        ...(namespace === '' ? [] : [`              service_namespace: ${JSON.stringify(namespace)}`]),
        `              severity: ${severity}`,
        '              sloth_id: shop-emergency-latency',
        '              sloth_service: shop',
        '              sloth_slo: emergency-latency',
        `              sloth_severity: ${severity}`,
        '            exp_annotations:',
        `              summary: ${JSON.stringify(SUMMARY(service))}`,
        `              title: ${JSON.stringify(`(${severity}) ${service} emergency-latency SLO error budget burn rate is too fast.`)}`,
        `              headroom_url: ${JSON.stringify(`${BASE}/ui/services/${path}`)}`,
      ].join('\n'),
    ),
  );
  return [
    'rule_files: [rules.yaml]',
    'evaluation_interval: 1m',
    'group_eval_order: [sloth-slo-sli-recordings-shop-emergency-latency, sloth-slo-meta-recordings-shop-emergency-latency, sloth-slo-alerts-shop-emergency-latency]',
    'tests:',
    '  - interval: 1m',
    '    input_series:',
    ...input,
    '    alert_rule_test:',
    '      - eval_time: 10m',
    '        alertname: EmergencyLatencyHighErrorRate',
    '        exp_alerts:',
    ...alerts,
    '',
  ].join('\n');
}

function configWith(externalUrl: string | undefined): string {
  return [
    'service: { name: shop }',
    'slos: [{ name: emergency-latency, context: emergency, objective: 99%, window: 30d }]',
    ...(externalUrl === undefined ? [] : [`ui: { externalUrl: ${JSON.stringify(externalUrl)} }`]),
  ].join('\n');
}

function headroomUrls(externalUrl: string | undefined): readonly (string | undefined)[] {
  const config = parseConfig([{ file: 'headroom.yaml', text: configWith(externalUrl) }], {});
  const alerts = generateRules(config).groups.at(-1)?.rules ?? [];
  return alerts.map((rule) => ('annotations' in rule ? rule.annotations?.headroom_url : undefined));
}

const SEGMENT = '| urlquery | reReplaceAll "[+]" "%20" | reReplaceAll "^(_|[.][.]?$)" "_$1" }}';
const TEMPLATE = `/ui/services/{{ if $labels.service_namespace }}{{ $labels.service_namespace ${SEGMENT}{{ else }}_{{ end }}/{{ $labels.service ${SEGMENT}`;

describe('headroom_url', () => {
  it('should be templated into the generated alerts and render, in promtool, the link of every name', () => {
    const config = parseConfig([{ file: 'headroom.yaml', text: configWith(`${BASE}/`) }], {});
    const rules = generateRules(config);
    expect(headroomUrls(`${BASE}/`)).toEqual([`${BASE}${TEMPLATE}`, `${BASE}${TEMPLATE}`]);
    const dir = mkdtempSync(join(tmpdir(), 'headroom-url-rules-'));
    writeFileSync(join(dir, 'rules.yaml'), stringifyRules(rules));
    writeFileSync(join(dir, 'test.yaml'), unitTest());
    const check = promtool('check', 'rules', join(dir, 'rules.yaml'));
    expect(check.code).toBe(0);
    const test = promtool('test', 'rules', join(dir, 'test.yaml'));
    expect(test.output).toContain('SUCCESS');
    expect(test.code).toBe(0);
  }, 60_000);

  it("should give the agent's alerts the page's link, the rules' link but for !'()*, each read back to the name", () => {
    const rows = NAMES.map(([namespace, service, path]) => {
      const labels: Record<string, string> =
        namespace === '' ? { service } : { service, service_namespace: namespace };
      const url = headroomUrl(BASE, labels) as string;
      const agentPath = new URL(url).pathname;
      return [
        agentPath === servicePath({ namespace, service }),
        agentPath === `/ui/services/${path}` || /[!'()*]/.test(service),
        parseServicePath(agentPath),
        parseServicePath(`/ui/services/${path}`),
      ];
    });
    expect(rows).toEqual(
      NAMES.map(([namespace, service]) => [true, true, { namespace, service }, { namespace, service }]),
    );
  });

  it.each([
    ['lone\ud800', 'lone\ufffd', 'lone%EF%BF%BD'],
    ['\udc00', '\ufffd', '%EF%BF%BD'],
    ['_\ud800', '_\ufffd', '__%EF%BF%BD'],
    ['a\ud800b\ud83d\ude00', 'a\ufffdb\ud83d\ude00', 'a%EF%BF%BDb%F0%9F%98%80'],
  ])(
    'should link a name that is not well-formed UTF-16 (%j) with U+FFFD in its place, on the page and in alerts, never throw',
    (raw, read, segment) => {
      const id = { namespace: raw, service: raw };
      const path = `/ui/services/${segment}/${segment}`;
      expect([headroomUrl(BASE, { service: raw, service_namespace: raw }), servicePath(id)]).toEqual([
        `${BASE}${path}`,
        path,
      ]);
      expect(parseServicePath(path)).toEqual({ namespace: read, service: read });
    },
  );

  it('should leave rules without ui.externalUrl as they were', () => {
    const config = parseConfig([{ file: 'headroom.yaml', text: configWith(undefined) }], {});
    const alerts = generateRules(config).groups.at(-1)?.rules ?? [];
    expect(alerts.map((rule) => ('annotations' in rule ? Object.keys(rule.annotations ?? {}) : []))).toEqual([
      ['summary', 'title'],
      ['summary', 'title'],
    ]);
  });

  it('should link an alert without a service label nowhere, and nothing without an external URL', () => {
    expect([headroomUrl(BASE, { slo: 'x' }), headroomUrl('', { service: 'checkout' })]).toEqual([
      undefined,
      undefined,
    ]);
  });
});
