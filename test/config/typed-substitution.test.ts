// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` is the substitution syntax under test, not a template.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/index.ts';
import { issuesOf } from '../helpers/config-issues.ts';

const SECRET = '1234567890123456789';

const load = (text: string, env: Record<string, string>) => parseConfig([{ file: 'f.yaml', text }], env);
const header = (value: string) =>
  load('exporters:\n  otlp:\n    headers:\n      x-key: ${V}\n', { V: value }).exporters.otlp.headers[
    'x-key'
  ];
const maxSeries = (value: string) => load('window:\n  maxSeries: ${V}\n', { V: value }).window.maxSeries;

describe('a substituted value takes the type of its field', () => {
  it('should keep an all-digit token the exact string (fault 1)', () => {
    const config = load('api:\n  tokens:\n    - name: ops\n      token: ${TOKEN}\n      scopes: [read]\n', {
      TOKEN: SECRET,
    });
    expect(config.api.tokens).toEqual([{ name: 'ops', token: SECRET, scopes: ['read'] }]);
  });

  it('should keep every number- or boolean-looking value exact in a string field', () => {
    expect(['007', '1e3', '1.50', '0x1F', 'true', 'false', '-0', '', ' 42', SECRET].map(header)).toEqual([
      '007',
      '1e3',
      '1.50',
      '0x1F',
      'true',
      'false',
      '-0',
      '',
      ' 42',
      SECRET,
    ]);
  });

  it('should still give numeric and boolean fields numbers and booleans', () => {
    const config = load(
      'exporters:\n  prometheus:\n    port: ${PORT}\n    enabled: ${ON}\nwindow:\n  maxSeries: ${N}\n',
      { PORT: '9465', ON: 'false', N: '1e3' },
    );
    expect([
      config.exporters.prometheus.port,
      config.exporters.prometheus.enabled,
      config.window.maxSeries,
    ]).toEqual([9465, false, 1000]);
    expect(maxSeries('0042')).toBe(42);
  });

  it('should apply a ${VAR:-default} with the field type too', () => {
    const text =
      'exporters:\n  prometheus:\n    port: ${PORT:-9470}\n  otlp:\n    headers:\n      k: ${K:-0012}\n';
    const config = load(text, {});
    expect([config.exporters.prometheus.port, config.exporters.otlp.headers.k]).toEqual([9470, '0012']);
  });

  it('should keep a variable inside a larger string a string', () => {
    expect(load('service:\n  name: svc-${N}\n', { N: '12' }).service.name).toBe('svc-12');
  });

  it('should load the shipped example with all-digit secrets exactly', () => {
    const text = readFileSync('examples/headroom.yaml', 'utf8');
    const env = {
      HEADROOM_READ_TOKEN: '1111111111111111111',
      HEADROOM_OVERRIDE_TOKEN: '0222222222222222222',
      HEADROOM_WEBHOOK_SECRET: SECRET,
    };
    const config = parseConfig([{ file: 'examples/headroom.yaml', text }], env);
    expect(config.api.tokens.map((t) => t.token)).toEqual([
      env.HEADROOM_READ_TOKEN,
      env.HEADROOM_OVERRIDE_TOKEN,
    ]);
    const webhook = config.alerting.channels.find((c) => c.type === 'webhook');
    expect(webhook && 'secret' in webhook ? webhook.secret : undefined).toBe(SECRET);
  });
});

describe('an error about a substituted value shows the reference, never the value', () => {
  const secret = 'sk_live_51HxSecretValue';

  it('should show ${PORT} for a wrong type, a bad unit and a wrong number', () => {
    const issues = issuesOf(() =>
      load('exporters:\n  prometheus:\n    port: ${PORT}\nwindow:\n  length: ${W}\n  maxSeries: ${N}\n', {
        PORT: secret,
        W: secret,
        N: '2.5',
      }),
    );
    expect(issues).toEqual([
      {
        file: 'f.yaml',
        path: 'exporters.prometheus.port',
        line: 3,
        column: 11,
        message: 'expected a port number from 0 to 65535, got ${PORT}',
      },
      {
        file: 'f.yaml',
        path: 'window.length',
        line: 5,
        column: 11,
        message:
          'expected a duration such as 50ms, 1.5s, 2m, 1h30m or 30d (units us, ms, s, m, h, d, w), got ${W}',
      },
      {
        file: 'f.yaml',
        path: 'window.maxSeries',
        line: 6,
        column: 14,
        message: 'expected an integer, got ${N}',
      },
    ]);
  });

  it('should show a partial substitution as written', () => {
    const issues = issuesOf(() => load('window:\n  length: ${A}ms${B}\n', { A: '5', B: secret }));
    expect(issues.map((i) => i.message)).toEqual([
      'expected a duration such as 50ms, 1.5s, 2m, 1h30m or 30d (units us, ms, s, m, h, d, w), got "${A}ms${B}"',
    ]);
  });

  it('should hide the value in cross-field messages and whole error text', () => {
    const text = 'api:\n  tokens:\n    - { name: a, token: "${T}", scopes: [read], namespace: "${NS}" }\n';
    let message = '';
    try {
      load(text, { T: secret, NS: `${secret}-ns` });
    } catch (error) {
      message = String((error as Error).message);
    }
    expect(message).toContain('api.tokens[0].namespace ${NS} needs receiver.tokens');
    expect(message).not.toContain(secret);
  });
});
