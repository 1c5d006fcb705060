import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../../config/index.ts';
import { type DataPanel, generateDashboard } from '../../../exporters/dashboard/index.ts';
import { promtool } from '../rules/promtool.ts';

describe('dashboard queries', () => {
  it('should all be valid PromQL (promtool check rules)', () => {
    const config = parseConfig(
      [{ file: 't.yaml', text: 'slos:\n  - { name: a, context: emergency, objective: 99% }\n' }],
      {},
    );
    const { panels } = generateDashboard(config) as { panels: DataPanel[] };
    // Grafana's variables replaced as Grafana would: a range for $__rate_interval, "All" for the rest.
    const exprs = panels.flatMap((panel) => panel.targets ?? []).map((target) => target.expr);
    const rules = exprs.map((expr, index) => ({
      record: `dashboard:query:${index}`,
      expr: expr.replaceAll('$__rate_interval', '1m').replaceAll(/\$(service|context)/g, '.*'),
    }));
    const file = join(mkdtempSync(join(tmpdir(), 'headroom-dashboard-')), 'queries.yaml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
    const result = promtool('check', 'rules', file);
    expect(result.output).toContain(`SUCCESS: ${exprs.length} rules found`);
    expect(result.code).toBe(0);
  });
});
