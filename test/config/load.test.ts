import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../config/index.ts';
import { ConfigInvalidError } from '../../errors.ts';
import { issuesOf } from '../helpers/config-issues.ts';

const yaml = (text: string, file = 'headroom.yaml') => [{ file, text }];

describe('defaults', () => {
  it('should make an empty file a valid config with the seed budgets', () => {
    expect(parseConfig(yaml(''), {})).toEqual(parseConfig([], {}));
    const config = parseConfig([], {});
    expect(config.enabled).toBe(true);
    expect(config.service).toEqual({ resourceAttributes: {} });
    const seed = (budgetMs: number) => ({
      budgetMs,
      percentile: 'p95',
      warningRatio: 0.8,
      phases: { signal_processing: 0.2, routing: 0.1, execution: 0.7 },
      hardDeadlineFactor: 2,
    });
    expect(config.contexts).toEqual({ emergency: seed(50), routine: seed(200), deliberative: seed(1000) });
    expect(config.window).toEqual({
      lengthMs: 60_000,
      resolutionMs: 1000,
      relativeAccuracy: 0.01,
      maxSeries: 1000,
      maxSpanDurationMs: 3_600_000,
    });
    expect(config.evaluation).toEqual({ intervalMs: 1000, minSamples: 20 });
    expect(config.degradation).toEqual({
      enabled: true,
      levels: {
        minimal: { disable: [], enterRatio: 1 },
        moderate: { disable: [], enterRatio: 1.25 },
        severe: { disable: [], enterRatio: 1.5 },
        critical: { disable: [], enterRatio: 2 },
      },
      escalation: { ticks: 3 },
      recovery: { improvement: 0.25, sustainMs: 30_000, minDwellMs: 10_000, maxDurationMs: 600_000 },
    });
    expect(config.exporters.prometheus).toEqual({
      enabled: true,
      host: '127.0.0.1',
      port: 9464,
      path: '/metrics',
      maxSeries: 2000,
      maxScrapeBytes: 32 * 1024 * 1024,
      maxConnections: 16,
      headersTimeoutMs: 10_000,
    });
    expect(config.limits).toEqual({
      nameLength: 256,
      namespaces: 100,
      services: 1000,
      operations: 200,
      phases: 16,
      idleTimeMs: 300_000,
    });
    expect(config.exporters.otlp.enabled).toBe(false);
    expect(config.alerting).toEqual({ channels: [{ name: 'log', type: 'log' }], rules: [] });
  });

  it('should deep-freeze the resolved config', () => {
    const config = parseConfig([], {});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.contexts.emergency.phases)).toBe(true);
  });

  it('should keep the seed contexts a file does not redefine and apply defaults inside a redefined one', () => {
    const config = parseConfig(
      yaml('contexts:\n  emergency:\n    budget: 30ms\n  batch:\n    budget: 5s\n'),
      {},
    );
    expect(Object.keys(config.contexts)).toEqual(['emergency', 'routine', 'deliberative', 'batch']);
    expect(config.contexts.emergency?.budgetMs).toBe(30);
    expect(config.contexts.emergency?.percentile).toBe('p95');
    expect(config.contexts.batch?.budgetMs).toBe(5000);
  });

  it('should parse durations, percentages and sizes into ms, fractions and bytes', () => {
    const config = parseConfig(
      yaml(
        'window:\n  length: 2m\n  resolution: 1.5s\nreceiver:\n  maxBodySize: 512KiB\ncontexts:\n  x:\n    budget: 1h30m\n    warningRatio: 90%\n',
      ),
      {},
    );
    expect([config.window.lengthMs, config.window.resolutionMs]).toEqual([120_000, 1500]);
    expect(config.receiver.maxBodyBytes).toBe(524_288);
    expect([config.contexts.x?.budgetMs, config.contexts.x?.warningRatio]).toEqual([5_400_000, 0.9]);
  });
});

describe('bad input', () => {
  it('should report a wrong type with its path, line, column and what is allowed', () => {
    expect(issuesOf(() => parseConfig(yaml('evaluation:\n  minSamples: many\n'), {}))).toEqual([
      {
        file: 'headroom.yaml',
        path: 'evaluation.minSamples',
        line: 2,
        column: 15,
        message: 'expected a number, got string "many"',
      },
    ]);
  });

  it('should refuse "__proto__" as any name, at its key, in every file and nested list', () => {
    const message =
      '"__proto__" cannot be a name: JavaScript reserves it for an object\'s prototype; choose another name';
    const text = [
      'contexts:',
      '  __proto__: { budget: 100ms }',
      '  checkout:',
      '    budget: 80ms',
      '    phases: { __proto__: 50% }',
      'alerting:',
      '  webhooks:',
      '    - url: http://127.0.0.1:9/hook',
      '      headers: { __proto__: x }',
      '',
    ].join('\n');
    expect(issuesOf(() => parseConfig(yaml(text), {}))).toEqual([
      { file: 'headroom.yaml', path: 'contexts.__proto__', line: 2, column: 3, message },
      { file: 'headroom.yaml', path: 'contexts.checkout.phases.__proto__', line: 5, column: 15, message },
      {
        file: 'headroom.yaml',
        path: 'alerting.webhooks[0].headers.__proto__',
        line: 9,
        column: 18,
        message,
      },
    ]);
  });

  it('should refuse a string that is not well-formed UTF-16 (a lone surrogate), key or value, at its place (review16c L4)', () => {
    const lone = (spelled: string, at: number) =>
      `not well-formed UTF-16: a lone surrogate ${spelled} at character ${at} (a "${spelled}" escape in a double-quoted string?); names travel as UTF-8, where it reads as U+FFFD, so the view, links and metrics would each name it differently; write the character itself, or leave it out`;
    const text = [
      'service:',
      '  name: "shop\\ud800"',
      '  namespace: "\\udc00ns"',
      'contexts:',
      '  "ctx\\udbff": { budget: 100ms }',
      'alerting:',
      '  webhooks:',
      '    - url: http://127.0.0.1:9/hook',
      '      headers: { x-team: "a\\ud83d\\ude00\\ude00" }',
      '',
    ].join('\n');
    expect(issuesOf(() => parseConfig(yaml(text), {}))).toEqual([
      { file: 'headroom.yaml', path: 'service.name', line: 2, column: 9, message: lone('\\uD800', 5) },
      { file: 'headroom.yaml', path: 'service.namespace', line: 3, column: 14, message: lone('\\uDC00', 1) },
      {
        file: 'headroom.yaml',
        path: 'contexts["ctx\\udbff"]',
        line: 5,
        column: 3,
        message: lone('\\uDBFF', 4),
      },
      {
        file: 'headroom.yaml',
        path: 'alerting.webhooks[0].headers.x-team',
        line: 9,
        column: 26,
        message: lone('\\uDE00', 4),
      },
    ]);
    // A surrogate pair is one character: well-formed.
    const config = parseConfig(yaml('service:\n  name: "smile\\ud83d\\ude00"\n'), {});
    expect(config.service.name).toBe('smile\u{1f600}');
  });

  it('should take the other members of Object.prototype as names, found only where configured', () => {
    const config = parseConfig(
      yaml('contexts:\n  toString: { budget: 100ms, phases: { constructor: 100% } }\n'),
      {},
    );
    expect(Object.keys(config.contexts)).toEqual(['emergency', 'routine', 'deliberative', 'toString']);
    const named = config.contexts['toString' as string];
    expect([named?.budgetMs, named?.phases['constructor' as string]]).toEqual([100, 1]);
    expect([
      config.contexts['valueOf' as string],
      config.contexts.routine?.phases['toString' as string],
    ]).toEqual([undefined, undefined]);
  });

  it('should report an unknown key with a did-you-mean', () => {
    expect(issuesOf(() => parseConfig(yaml('window:\n  lenght: 30s\n'), {}))).toEqual([
      {
        file: 'headroom.yaml',
        path: 'window.lenght',
        line: 2,
        column: 3,
        message:
          'unknown key "lenght" (did you mean "length"?); allowed keys: length, resolution, relativeAccuracy, maxSeries, maxSpanDuration',
      },
    ]);
  });

  it('should report a bad duration', () => {
    expect(issuesOf(() => parseConfig(yaml('contexts:\n  emergency:\n    budget: 50 msec\n'), {}))).toEqual([
      {
        file: 'headroom.yaml',
        path: 'contexts.emergency.budget',
        line: 3,
        column: 13,
        message:
          'expected a duration such as 50ms, 1.5s, 2m, 1h30m or 30d (units us, ms, s, m, h, d, w), got "50 msec"',
      },
    ]);
  });

  it('should report phases over 100% with every share', () => {
    const text =
      'contexts:\n  routine:\n    budget: 200ms\n    phases:\n      routing: 40%\n      execution: 70%\n';
    expect(issuesOf(() => parseConfig(yaml(text), {}))).toEqual([
      {
        file: 'headroom.yaml',
        path: 'contexts.routine.phases',
        line: 5,
        column: 7,
        message:
          'phase shares add up to 110% (routing 40% + execution 70%); they must add up to at most 100%',
      },
    ]);
  });

  it('should refuse a rule budget with no operation to apply to, and take one with operation or an exact spanName', () => {
    const rule = (match: string, extra = '') =>
      `rules:\n  - match: ${match}\n    context: routine\n    budget: 20ms\n${extra}`;
    expect(issuesOf(() => parseConfig(yaml(rule('{ attributes: { http.route: /search } }')), {}))).toEqual([
      {
        file: 'headroom.yaml',
        path: 'rules[0].budget',
        line: 4,
        column: 13,
        message:
          'a rule with a budget must name its operation: add `operation` (e.g. "GET /search"), or match an exact `spanName`; spans matched by a pattern or by attributes have many names',
      },
    ]);
    const named = parseConfig(yaml(rule('{ spanNamePattern: ^GET }', '    operation: GET /search\n')), {});
    expect(named.rules).toEqual([
      { match: { spanNamePattern: '^GET' }, context: 'routine', operation: 'GET /search', budgetMs: 20 },
    ]);
    expect(parseConfig(yaml(rule('{ spanName: search }')), {}).rules).toHaveLength(1);
  });

  it('should report a bad percentile with the allowed ones', () => {
    expect(
      issuesOf(() => parseConfig(yaml('contexts:\n  routine:\n    budget: 1s\n    percentile: p97\n'), {})),
    ).toEqual([
      {
        file: 'headroom.yaml',
        path: 'contexts.routine.percentile',
        line: 4,
        column: 17,
        message: 'must be one of p50, p90, p95, p99, p99.9; got string "p97"',
      },
    ]);
  });

  it('should report a missing environment variable without a default', () => {
    expect(issuesOf(() => parseConfig(yaml('service:\n  name: ${SERVICE}\n'), {}))).toEqual([
      {
        file: 'headroom.yaml',
        path: 'service.name',
        line: 2,
        column: 9,
        message:
          'environment variable SERVICE is not set and has no default (write ${SERVICE:-value} to give one)',
      },
    ]);
  });

  it('should report malformed YAML with its position', () => {
    expect(issuesOf(() => parseConfig(yaml('window:\n  length: [60s\nevaluation: {\n'), {}))).toEqual([
      {
        file: 'headroom.yaml',
        path: '',
        line: 3,
        column: 1,
        message: 'Flow sequence in block collection must be sufficiently indented and end with a ]',
      },
      {
        file: 'headroom.yaml',
        path: '',
        line: 4,
        column: 1,
        message: 'Flow map in block collection must be sufficiently indented and end with a }',
      },
    ]);
  });

  it('should report every problem of a file at once, cross-field rules naming both fields', () => {
    const text = [
      'windw: {}',
      'window:',
      '  length: 10s',
      '  resolution: 3s',
      'rules:',
      '  - match: { spanName: GET /x }',
      '    context: emergancy',
      'degradation:',
      '  recovery:',
      '    minDwell: 20m',
      '',
    ].join('\n');
    expect(
      issuesOf(() => parseConfig(yaml(text), {})).map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`),
    ).toEqual([
      '1:1 windw: unknown key "windw" (did you mean "window"?); allowed keys: enabled, service, contexts, rules, window, evaluation, limits, adaptive, degradation, criticality, admission, exporters, receiver, api, ui, slos, alerting, shutdown, storage',
      '4:15 window.resolution: window.length (10s) must be a whole multiple, 2 to 3600 times, of window.resolution (3s)',
      '7:14 rules[0].context: rules[0].context "emergancy" is not defined under contexts (did you mean "emergency"?); defined: emergency, routine, deliberative',
      '10:15 degradation.recovery.minDwell: degradation.recovery.minDwell (20m) must be at most degradation.recovery.maxDuration (10m)',
    ]);
  });

  it('should carry the stable code HEADROOM_ERR_CONFIG_INVALID and list the issues in its message', () => {
    try {
      parseConfig(yaml('evaluation:\n  interval: soon\n'), {});
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigInvalidError);
      expect((error as ConfigInvalidError).code).toBe('HEADROOM_ERR_CONFIG_INVALID');
      expect((error as Error).message).toBe(
        'invalid configuration (1 problem):\n  headroom.yaml:2:13 evaluation.interval: expected a duration such as 50ms, 1.5s, 2m, 1h30m or 30d (units us, ms, s, m, h, d, w), got "soon"',
      );
    }
  });
});

describe('environment', () => {
  it('should substitute ${env:NAME}, ${NAME}, ${NAME:-default} and $$', () => {
    const text =
      'service:\n  name: ${env:SVC}\n  namespace: ${NS:-payments}\n  version: v$${X}\nexporters:\n  prometheus:\n    port: ${PORT}\n';
    const config = parseConfig(yaml(text), { SVC: 'checkout', PORT: '9100' });
    expect(config.service).toEqual({
      name: 'checkout',
      namespace: 'payments',
      version: 'v${X}',
      resourceAttributes: {},
    });
    expect(config.exporters.prometheus.port).toBe(9100);
  });

  it('should let a file win over OTEL_* variables and OTEL_* win over defaults', () => {
    const env = {
      OTEL_SERVICE_NAME: 'from-env',
      OTEL_RESOURCE_ATTRIBUTES:
        'service.name=from-resource,service.namespace=shop,deployment.environment.name=prod',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=secret%20value,x-team=env',
    };
    const fromEnv = parseConfig([], env);
    expect(fromEnv.service).toEqual({
      name: 'from-env',
      namespace: 'shop',
      resourceAttributes: { 'deployment.environment.name': 'prod' },
    });
    expect(fromEnv.exporters.otlp).toMatchObject({
      enabled: true,
      endpoint: 'http://collector:4318',
      headers: { 'api-key': 'secret value', 'x-team': 'env' },
    });
    const text =
      'service:\n  name: from-file\nexporters:\n  otlp:\n    endpoint: http://jaeger:4318\n    headers:\n      x-team: file\n';
    const fromFile = parseConfig(yaml(text), env);
    expect(fromFile.service.name).toBe('from-file');
    expect(fromFile.service.namespace).toBe('shop');
    expect(fromFile.exporters.otlp.endpoint).toBe('http://jaeger:4318');
    expect(fromFile.exporters.otlp.headers).toEqual({ 'api-key': 'secret value', 'x-team': 'file' });
  });

  it('should take service.name from OTEL_RESOURCE_ATTRIBUTES when OTEL_SERVICE_NAME is unset', () => {
    expect(parseConfig([], { OTEL_RESOURCE_ATTRIBUTES: 'service.name=billing' }).service.name).toBe(
      'billing',
    );
  });

  it('should switch Headroom off with OTEL_SDK_DISABLED=true whatever the file says', () => {
    expect(parseConfig(yaml('enabled: true\n'), { OTEL_SDK_DISABLED: 'TRUE' }).enabled).toBe(false);
    expect(parseConfig([], { OTEL_SDK_DISABLED: 'false' }).enabled).toBe(true);
  });

  it('should name the variable when an OTEL_* value is invalid', () => {
    expect(issuesOf(() => parseConfig([], { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/thrift' }))).toEqual([
      {
        file: '<env OTEL_EXPORTER_OTLP_PROTOCOL>',
        path: 'exporters.otlp.protocol',
        message: 'must be one of http/protobuf, http/json, grpc; got "http/thrift"',
      },
    ]);
  });

  it('should take OTEL_EXPORTER_OTLP_PROTOCOL=grpc, exporting to OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    const otlp = parseConfig([], {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example.com:4317/',
    }).exporters.otlp;
    expect([otlp.enabled, otlp.protocol, otlp.endpoint]).toEqual([
      true,
      'grpc',
      'https://otel.example.com:4317',
    ]);
  });

  it('should let the protocol of a file win over OTEL_EXPORTER_OTLP_PROTOCOL', () => {
    const otlp = parseConfig(yaml('exporters:\n  otlp:\n    protocol: http/json\n'), {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    }).exporters.otlp;
    expect(otlp.protocol).toBe('http/json');
  });
});

describe('several files', () => {
  it('should merge files with later ones winning key by key, and locate errors in the file that set the value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-config-'));
    const base = join(dir, 'base.yaml');
    const prod = join(dir, 'prod.yaml');
    writeFileSync(
      base,
      'contexts:\n  emergency:\n    budget: 50ms\n    percentile: p99\nevaluation:\n  interval: 2s\n',
    );
    writeFileSync(prod, 'contexts:\n  emergency:\n    budget: 30ms\n');
    const config = loadConfig({ files: [base, prod], env: {} });
    expect(config.contexts.emergency).toMatchObject({ budgetMs: 30, percentile: 'p99' });
    expect(config.evaluation.intervalMs).toBe(2000);

    writeFileSync(prod, 'evaluation:\n  minSamples: 0\n');
    expect(issuesOf(() => loadConfig({ files: [base, prod], env: {} }))).toEqual([
      {
        file: prod,
        path: 'evaluation.minSamples',
        line: 2,
        column: 15,
        message: 'must be at least 1; got 0',
      },
    ]);
  });

  it('should read the files named in HEADROOM_CONFIG when none are given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-config-'));
    const file = join(dir, 'h.yaml');
    writeFileSync(file, 'evaluation:\n  interval: 5s\n');
    expect(loadConfig({ env: { HEADROOM_CONFIG: file } }).evaluation.intervalMs).toBe(5000);
  });

  it('should fail with HEADROOM_ERR_CONFIG_READ for a missing file', () => {
    expect(() => loadConfig({ files: ['/nonexistent/headroom.yaml'], env: {} })).toThrow(
      expect.objectContaining({
        code: 'HEADROOM_ERR_CONFIG_READ',
        message: 'cannot read config file /nonexistent/headroom.yaml',
      }),
    );
  });
});

describe('refuseEmpty', () => {
  it('should refuse an empty or whitespace-only file with the ConfigEmptyError the package exports', async () => {
    const { ConfigEmptyError, HeadroomError, loadConfig: publicLoadConfig } = await import('../../index.ts');
    const dir = mkdtempSync(join(tmpdir(), 'headroom-empty-'));
    const file = join(dir, 'headroom.yaml');
    writeFileSync(file, ' \n\t\n');
    let caught: unknown;
    try {
      publicLoadConfig({ files: [file], env: {}, refuseEmpty: true });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigEmptyError);
    expect(caught).toBeInstanceOf(HeadroomError);
    expect(caught).toMatchObject({
      code: 'HEADROOM_ERR_CONFIG_EMPTY',
      file,
      message: `${file} is empty, likely a partial write; to reset to the defaults on purpose, write {}`,
    });
    expect(publicLoadConfig({ files: [file], env: {} })).toEqual(parseConfig([], {}));
  });
});
