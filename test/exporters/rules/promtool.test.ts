/**
 * The generated rules against the real Prometheus tooling: `promtool check rules` accepts them and
 * the unit tests in test/rules/slo-burn.test.yaml pass (a breach pages at the expected minute, a
 * clean series fires nothing). test/rules/headroom-rules.yaml is what `headroom rules` makes of
 * test/rules/headroom.yaml; after changing the generator, refresh it with
 *   npx vitest run -u test/exporters/rules
 * and review the diff with the promtool tests.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../config/index.ts';
import { generateRules, stringifyRules } from '../../../exporters/rules/index.ts';
import { promtool } from './promtool.ts';

const RULES_DIR = 'test/rules';

describe('generated rules under promtool', () => {
  it('should keep test/rules/headroom-rules.yaml generated from test/rules/headroom.yaml', async () => {
    const config = loadConfig({ files: [join(RULES_DIR, 'headroom.yaml')], env: {} });
    await expect(stringifyRules(generateRules(config))).toMatchFileSnapshot(
      '../../rules/headroom-rules.yaml',
    );
  });

  it('should pass promtool check rules', () => {
    const result = promtool('check', 'rules', join(RULES_DIR, 'headroom-rules.yaml'));
    expect(result.output).toContain('SUCCESS: 25 rules found');
    expect(result.code).toBe(0);
  });

  it('should page at the expected minute for a breach and fire nothing for a clean series', () => {
    const result = promtool('test', 'rules', join(RULES_DIR, 'slo-burn.test.yaml'));
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
    // promtool evaluates days of series: seconds on an idle machine, more on a loaded CI box.
  }, 120_000);

  it('should pass promtool check rules for the example configuration and for mixed SLOs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-rules-'));
    const mixed = [
      'rules:',
      '  - { match: { spanName: pay }, context: routine, operation: pay, budget: 100ms }',
      'slos:',
      '  - { name: pay, operation: pay, objective: 99.9%, window: 7d }',
      '  - { name: daily, context: deliberative, objective: 95%, window: 1d }',
      '  - { name: quarter, context: emergency, operation: "GET \\"/x\\"", objective: 99.95%, window: 90d }',
    ].join('\n');
    const configs = {
      example: loadConfig({ files: ['examples/headroom.yaml'], env: {} }),
      mixed: parseConfig([{ file: 'mixed.yaml', text: mixed }], {}),
    };
    for (const [name, config] of Object.entries(configs)) {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, stringifyRules(generateRules(config)));
      const result = promtool('check', 'rules', file);
      expect(result.output).toContain('SUCCESS');
      expect(result.code).toBe(0);
    }
  });
});
