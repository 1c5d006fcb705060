import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../../config/index.ts';
import { generateDashboard } from '../../../exporters/dashboard/index.ts';
import { runCli } from '../../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'headroom-dashboard-cli-'));
const CONFIG = 'test/rules/headroom.yaml';
const EXPECTED = `${JSON.stringify(generateDashboard(loadConfig({ files: [CONFIG], env: {} })), null, 2)}\n`;

describe('headroom dashboard', () => {
  it('should print the dashboard JSON', async () => {
    expect(await runCli(['dashboard', '--config', CONFIG])).toEqual({
      code: 0,
      stdout: EXPECTED,
      stderr: '',
    });
  });

  it("should write the dashboard and a provisioning file that points at Grafana's dashboards path, not --out", async () => {
    const out = join(dir, 'grafana');
    const json = join(out, 'headroom-dashboard.json');
    const yaml = join(out, 'headroom-dashboards.yaml');
    expect(await runCli(['dashboard', '--config', CONFIG, '--out', out])).toEqual({
      code: 0,
      stdout:
        `wrote ${json} and ${yaml}\n` +
        'copy headroom-dashboard.json to /var/lib/grafana/dashboards/headroom on the Grafana host ' +
        "(--grafana-path to change it) and headroom-dashboards.yaml to Grafana's provisioning/dashboards folder\n",
      stderr: '',
    });
    expect(readFileSync(json, 'utf8')).toBe(EXPECTED);
    expect(parse(readFileSync(yaml, 'utf8'))).toEqual({
      apiVersion: 1,
      providers: [
        {
          name: 'headroom',
          orgId: 1,
          folder: 'Headroom',
          type: 'file',
          disableDeletion: false,
          allowUiUpdates: false,
          updateIntervalSeconds: 30,
          options: { path: '/var/lib/grafana/dashboards/headroom', foldersFromFilesStructure: false },
        },
      ],
    });
  });

  it('should point the provider at --grafana-path when Grafana sees the folder elsewhere', async () => {
    const out = join(dir, 'container');
    const args = [
      'dashboard',
      '--config',
      CONFIG,
      '--out',
      out,
      '--grafana-path',
      '/var/lib/grafana/dashboards',
    ];
    const { code, stdout } = await runCli(args);
    expect([code, stdout.split('\n')[1]]).toEqual([
      0,
      'copy headroom-dashboard.json to /var/lib/grafana/dashboards on the Grafana host ' +
        "(--grafana-path to change it) and headroom-dashboards.yaml to Grafana's provisioning/dashboards folder",
    ]);
    const provisioning = parse(readFileSync(join(out, 'headroom-dashboards.yaml'), 'utf8'));
    expect(provisioning.providers[0].options.path).toBe('/var/lib/grafana/dashboards');
  });

  it('should exit 2 for --grafana-path without --out', async () => {
    expect(await runCli(['dashboard', '--grafana-path', '/x'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'headroom dashboard: --grafana-path needs --out DIR\n',
    });
  });

  it('should exit 1 for an invalid configuration or an unwritable --out', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'slos: 3\n');
    const invalid = await runCli(['dashboard', '--config', bad]);
    expect([invalid.code, invalid.stdout]).toEqual([1, '']);
    expect(invalid.stderr).toContain('headroom dashboard: HEADROOM_ERR_CONFIG_INVALID');
    const blocked = await runCli(['dashboard', '--out', join(bad, 'sub')]);
    expect([blocked.code, blocked.stdout]).toEqual([1, '']);
    expect(blocked.stderr).toMatch(/^headroom dashboard: cannot write to .*: ENOTDIR/);
  });
});
