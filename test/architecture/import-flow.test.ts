import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crossImports, violations } from '../../scripts/import-graph.ts';

const root = join(import.meta.dirname, '..', '..');

describe('imports between folders (DESIGN.md, "Layout")', () => {
  it('should all follow the data flow and go through an index.ts', () => {
    expect(violations(crossImports(root))).toEqual([]);
  });

  it('should keep agent/ free of collector/, exporters/ and instrumentation/', () => {
    const fromAgent = new Set(
      crossImports(root)
        .filter((i) => i.from === 'agent')
        .map((i) => i.to),
    );
    expect([...fromAgent].sort()).toEqual(['.', 'config']);
  });

  it('should keep view/ on agent/ and config/ only, and let collector/ mount it', () => {
    const imports = crossImports(root);
    const fromView = new Set(imports.filter((i) => i.from === 'view').map((i) => i.to));
    expect([...fromView].sort()).toEqual(['agent', 'config']);
    expect(imports.some((i) => i.from === 'collector' && i.to === 'view')).toBe(true);
  });

  it('should report an import against the flow and one into another folder internals', () => {
    expect(
      violations([
        { from: 'agent', to: 'collector', file: 'agent/x.ts', target: 'collector/index.ts' },
        { from: 'collector', to: 'agent', file: 'collector/y.ts', target: 'agent/agent.ts' },
        { from: 'exporters', to: '.', file: 'exporters/z.ts', target: 'index.ts' },
        { from: 'app', to: 'collector', file: 'app/w.ts', target: 'collector/index.ts' },
      ]),
    ).toEqual([
      'agent/x.ts imports collector/index.ts: agent/ may not depend on collector/',
      'collector/y.ts imports agent/agent.ts: reach another folder through an index.ts',
      'exporters/z.ts imports index.ts: only errors.ts and node-version.ts are shared from the root',
    ]);
  });
});
