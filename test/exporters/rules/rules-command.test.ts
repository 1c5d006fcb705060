import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'headroom-rules-cli-'));
const CONFIG = 'test/rules/headroom.yaml';
const EXPECTED = readFileSync('test/rules/headroom-rules.yaml', 'utf8');

describe('headroom rules', () => {
  it('should print the rules of the configured SLOs', async () => {
    expect(await runCli(['rules', '--config', CONFIG])).toEqual({ code: 0, stdout: EXPECTED, stderr: '' });
  });

  it('should write the rules to --out and say how many', async () => {
    const out = join(dir, 'headroom-rules.yaml');
    expect(await runCli(['rules', '--config', CONFIG, '--out', out])).toEqual({
      code: 0,
      stdout: `${out}: 25 rules for 1 SLOs\n`,
      stderr: '',
    });
    expect(readFileSync(out, 'utf8')).toBe(EXPECTED);
  });

  it('should exit 1 with the problems of an invalid configuration', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'slos:\n  - { name: x, context: emergncy, objective: 99% }\n');
    const { code, stdout, stderr } = await runCli(['rules', '--config', bad]);
    expect([code, stdout]).toEqual([1, '']);
    expect(stderr).toContain('headroom rules: HEADROOM_ERR_CONFIG_INVALID');
    expect(stderr).toContain(
      'slos[0].context "emergncy" is not defined under contexts (did you mean "emergency"?)',
    );
  });

  it('should exit 1 when --out cannot be written', async () => {
    const out = join(dir, 'missing', 'rules.yaml');
    const { code, stdout, stderr } = await runCli(['rules', '--config', CONFIG, '--out', out]);
    expect([code, stdout]).toEqual([1, '']);
    expect(stderr).toMatch(new RegExp(`^headroom rules: cannot write ${out}: ENOENT`));
  });

  it('should exit 3 and say so when no SLOs are configured, writing nothing', async () => {
    const none = join(dir, 'none.yaml');
    writeFileSync(none, 'service: { name: shop }\n');
    const out = join(dir, 'none-rules.yaml');
    expect(await runCli(['rules', '--config', none, '--out', out])).toEqual({
      code: 3,
      stdout: '',
      stderr: `headroom rules: no SLOs configured in ${none}: add an entry under \`slos\` (see the README, "SLOs and alerting"); no rules written\n`,
    });
    expect(existsSync(out)).toBe(false);
    expect(await runCli(['rules'])).toEqual({
      code: 3,
      stdout: '',
      stderr:
        'headroom rules: no SLOs configured in the default configuration: add an entry under `slos` (see the README, "SLOs and alerting"); no rules written\n',
    });
  });

  it('should exit 2 for an unknown option', async () => {
    expect(await runCli(['rules', '--output', 'x'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'headroom rules: unknown option --output; see "headroom rules --help"\n',
    });
  });
});
