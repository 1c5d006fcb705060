import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { jsonSchema } from '../../config/index.ts';
import { runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'headroom-cli-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('headroom validate', () => {
  it('should exit 0 and summarise a valid file', async () => {
    expect(await runCli(['validate', '--config', 'examples/headroom.yaml'])).toEqual({
      code: 0,
      stdout:
        'examples/headroom.yaml: valid (contexts: emergency 50ms p95, routine 200ms p95, deliberative 1000ms p99, batch 5000ms p95; 3 rules)\n',
      stderr: '',
    });
  });

  it('should exit 1 with every error on stderr', async () => {
    const bad = file('bad.yaml', 'contexts:\n  emergency:\n    budget: fast\nwindw: {}\n');
    expect(await runCli(['validate', '--config', bad])).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'headroom validate: HEADROOM_ERR_CONFIG_INVALID: invalid configuration (2 problems):',
        `  ${bad}:3:13 contexts.emergency.budget: expected a duration such as 50ms, 1.5s, 2m, 1h30m or 30d (units us, ms, s, m, h, d, w), got "fast"`,
        `  ${bad}:4:1 windw: unknown key "windw" (did you mean "window"?); allowed keys: enabled, service, contexts, rules, window, evaluation, limits, adaptive, degradation, criticality, admission, exporters, receiver, api, ui, slos, alerting, shutdown, storage`,
        '',
      ].join('\n'),
    });
  });

  it('should merge repeated --config files, later ones winning', async () => {
    const base = file('base.yaml', 'contexts:\n  emergency:\n    budget: 50ms\n');
    const override = file(
      'override.yaml',
      'contexts:\n  emergency:\n    budget: 20ms\n    percentile: p99\n',
    );
    const { code, stdout } = await runCli(['validate', '--config', base, '--config', override]);
    expect(code).toBe(0);
    expect(stdout).toBe(
      `${base}, ${override}: valid (contexts: emergency 20ms p99, routine 200ms p95, deliberative 1000ms p95; 0 rules)\n`,
    );
  });

  it('should resolve ${NAME} from the environment it is given', async () => {
    const withEnv = file('env.yaml', 'contexts:\n  emergency:\n    budget: ${BUDGET}\n');
    expect((await runCli(['validate', '--config', withEnv], { BUDGET: '25ms' })).stdout).toContain(
      'emergency 25ms',
    );
    expect((await runCli(['validate', '--config', withEnv], {})).stderr).toContain(
      'environment variable BUDGET is not set and has no default',
    );
  });

  it('should exit 1 for an unreadable file and 2 for a bad option or command', async () => {
    expect(await runCli(['validate', '--config', join(dir, 'missing.yaml')])).toEqual({
      code: 1,
      stdout: '',
      stderr: `headroom validate: HEADROOM_ERR_CONFIG_READ: cannot read config file ${join(dir, 'missing.yaml')}\n`,
    });
    expect((await runCli(['validate', '--confg', 'x'])).code).toBe(2);
    const unknown = await runCli(['valdate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      'headroom: unknown command "valdate" (did you mean "validate"?); "headroom --help" lists the commands\n',
    );
  });
});

describe('headroom schema', () => {
  it('should print the JSON Schema that the committed schema/headroom.schema.json holds', async () => {
    const { code, stdout } = await runCli(['schema']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(jsonSchema());
    expect(readFileSync('schema/headroom.schema.json', 'utf8')).toBe(stdout);
  });

  it('should describe durations and percentiles as a user writes them', () => {
    const schema = jsonSchema() as { properties: Record<string, { properties?: Record<string, unknown> }> };
    expect(schema.properties.evaluation?.properties?.interval).toMatchObject({
      default: '1s',
      anyOf: [{ type: 'string' }, { $ref: '#/$defs/envReference' }],
    });
  });
});

describe('the installed binary', () => {
  it('should run `headroom validate` through bin/headroom.js on the built code', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/headroom.js', 'validate'], {
      env: {},
    });
    expect(stdout).toBe(
      'defaults: valid (contexts: emergency 50ms p95, routine 200ms p95, deliberative 1000ms p95; 0 rules)\n',
    );
  });
});
