import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSupportedNode, MINIMUM_NODE_VERSION } from '../node-version.ts';
import { runNode } from './helpers/child-process.ts';
import { UNSUPPORTED_NODE } from './helpers/unsupported-node.ts';

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
  engines: { node: string };
  exports: Record<string, string | { default: string }>;
};

/** The compiled module of every entry point the package exports (subpaths included). */
const ENTRY_POINTS = Object.values(manifest.exports).flatMap((target) =>
  typeof target === 'object' && target.default.endsWith('.js') ? [target.default] : [],
);

describe('the supported Node.js versions', () => {
  it("should be package.json's engines.node, in the >=MAJOR.MINOR.PATCH form bin/headroom.js reads", () => {
    expect(manifest.engines.node).toBe(`>=${MINIMUM_NODE_VERSION}`);
    expect(MINIMUM_NODE_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('should take the minimum and anything later, and nothing earlier', () => {
    const cases: [string, boolean][] = [
      ['22.15.0', true],
      ['22.15.1', true],
      ['22.16.0', true],
      ['23.0.0', true],
      ['24.21.0', true],
      ['100.0.0', true],
      ['22.14.9', false],
      ['22.9.99', false],
      ['21.99.99', false],
      ['20.20.2', false],
      ['8.0.0', false],
      ['22', false],
    ];
    expect(cases.map(([version]) => [version, isSupportedNode(version)])).toEqual(cases);
  });
});

describe('on an unsupported Node.js', () => {
  it(`should find one at ${UNSUPPORTED_NODE} (the CI machine's system Node)`, async () => {
    const { stdout } = await runNode(['--version'], { executable: UNSUPPORTED_NODE, env: {} });
    expect(isSupportedNode(stdout.trim().slice(1))).toBe(false);
  });

  it('should print one line and exit 1 from the headroom command, whatever the arguments', async () => {
    const { stdout: version } = await runNode(['--version'], { executable: UNSUPPORTED_NODE, env: {} });
    for (const args of [['--help'], ['agent', '--config', 'examples/headroom.yaml'], []]) {
      expect(await runNode(['bin/headroom.js', ...args], { executable: UNSUPPORTED_NODE, env: {} })).toEqual({
        code: 1,
        stdout: '',
        stderr: `headroom: Node.js ${MINIMUM_NODE_VERSION} or later is required; this is Node.js ${version.trim().slice(1)} (${UNSUPPORTED_NODE})\n`,
        ms: expect.any(Number),
      });
    }
  });

  it('should refuse the import of every entry point with HEADROOM_ERR_NODE_UNSUPPORTED before anything else runs', async () => {
    expect(ENTRY_POINTS).toContain('./dist/index.js');
    const program = `
      const results = [];
      for (const entry of ${JSON.stringify(ENTRY_POINTS)}) {
        try { await import(entry); results.push({ entry, imported: true }); }
        catch (error) { results.push({ entry, name: error.name, code: error.code, message: error.message }); }
      }
      console.log(JSON.stringify(results));`;
    const { stdout: version } = await runNode(['--version'], { executable: UNSUPPORTED_NODE, env: {} });
    const result = await runNode(['--input-type=module', '--eval', program], {
      executable: UNSUPPORTED_NODE,
      env: {},
    });
    expect([result.code, result.stderr, JSON.parse(result.stdout)]).toEqual([
      0,
      '',
      ENTRY_POINTS.map((entry) => ({
        entry,
        name: 'UnsupportedNodeError',
        code: 'HEADROOM_ERR_NODE_UNSUPPORTED',
        message: `headroom-otel needs Node.js ${MINIMUM_NODE_VERSION} or later; this is Node.js ${version.trim().slice(1)}`,
      })),
    ]);
  });
});
