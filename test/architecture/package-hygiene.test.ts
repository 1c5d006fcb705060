// The package as npm installs it: `npm pack`, then `npm install ./headroom-otel-<version>.tgz` in a
// project outside the repository (its dependencies from the registry, or npm's cache), then what a
// user checks first: warnings at install, the licence, the command, stack traces through the source
// maps, and the answer on an unsupported Node. Needs the built dist/ (`npm test` builds first).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINIMUM_NODE_VERSION } from '../../node-version.ts';
import { runNode } from '../helpers/child-process.ts';
import { UNSUPPORTED_NODE } from '../helpers/unsupported-node.ts';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  readonly version: string;
  readonly license: string;
};
/** npm and npx from PATH (run by the pinned Node, as in `npm test`); HOME for npm's cache. */
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir() };

let consumer = '';
let installed = '';
let installLog = '';

beforeAll(async () => {
  consumer = mkdtempSync(join(tmpdir(), 'headroom-install-'));
  const { stdout } = await run(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', consumer],
    {
      cwd: root,
    },
  );
  const [packed] = JSON.parse(stdout) as [{ filename: string }];
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }),
  );
  const install = await run(
    'npm',
    ['install', `./${packed.filename}`, '--no-audit', '--no-fund', '--prefer-offline'],
    { cwd: consumer, env },
  );
  installLog = install.stderr;
  installed = join(consumer, 'node_modules', 'headroom-otel');
}, 300_000);

afterAll(() => {
  if (consumer !== '') rmSync(consumer, { recursive: true, force: true });
});

function mapFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return mapFiles(path);
    return entry.name.endsWith('.js.map') ? [path] : [];
  });
}

describe('npm install of the packed headroom-otel', () => {
  it('should print no warning about headroom-otel and find no install script in it', () => {
    expect(installLog.split('\n').filter((line) => line.includes('headroom-otel'))).toEqual([]);
    const { scripts = {} } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
    };
    // What npm runs (or, unapproved, warns about) when installing a package from a tarball or git.
    expect(Object.keys(scripts).filter((name) => /^(pre|post)?install$|^prepare$/.test(name))).toEqual([]);
  });

  it('should ship the Apache-2.0 LICENSE that package.json names', () => {
    expect(manifest.license).toBe('Apache-2.0');
    const lines = readFileSync(join(installed, 'LICENSE'), 'utf8')
      .split('\n')
      .map((line) => line.trim());
    expect(lines.slice(0, 3)).toEqual([
      'Apache License',
      'Version 2.0, January 2004',
      'http://www.apache.org/licenses/',
    ]);
    const sections = lines.filter((line) => /^\d\. [A-Z]/.test(line)).map((line) => line.split('.')[0]);
    expect(sections).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(lines).toContain('END OF TERMS AND CONDITIONS');
  });

  it('should run `headroom --version` and `headroom agent --help` through the linked node_modules/.bin/headroom', async () => {
    const headroom = join(consumer, 'node_modules', '.bin', 'headroom');
    expect(await runNode([headroom, '--version'], { env })).toMatchObject({
      code: 0,
      stdout: `${manifest.version}\n`,
      stderr: '',
    });
    const help = await runNode([headroom, 'agent', '--help'], { env });
    expect([help.code, help.stdout.split('\n')[0]]).toEqual([
      0,
      'Usage: headroom agent --config FILE [--config FILE] [--watch]',
    ]);
  });

  it('should carry in each source map the TypeScript sources it maps to', () => {
    const maps = mapFiles(join(installed, 'dist'));
    expect(maps.length).toBeGreaterThan(100);
    for (const file of maps) {
      const map = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; sourcesContent?: string[] };
      const sources = map.sources.map((source) => relative(installed, resolve(dirname(file), source)));
      const own = sources.map((source) => readFileSync(join(root, source), 'utf8'));
      expect({ file, sourcesContent: map.sourcesContent }).toEqual({ file, sourcesContent: own });
    }
  });

  it('should show its stack frames at their TypeScript lines with node --enable-source-maps', async () => {
    writeFileSync(
      join(consumer, 'stack.mjs'),
      "import { loadConfig } from 'headroom-otel';\n" +
        "try { loadConfig({ files: ['missing.yaml'], env: {} }); } catch (error) { console.log(error.stack); }\n",
    );
    const result = await runNode(['--enable-source-maps', join(consumer, 'stack.mjs')], { env });
    const frame = /node_modules\/headroom-otel\/(\S+\.ts):(\d+):\d+\)/.exec(result.stdout);
    expect(result.stdout.split('\n')[0]).toBe('ConfigReadError: cannot read config file missing.yaml');
    const [, file, line] = frame ?? [];
    const source = readFileSync(join(root, file ?? ''), 'utf8').split('\n')[Number(line) - 1];
    expect([file, source?.trim()]).toEqual([
      'config/load.ts',
      'throw new ConfigReadError(file, { cause: error });',
    ]);
  });

  it('should answer an unsupported Node with one line from `headroom`', async () => {
    const result = await runNode([join(consumer, 'node_modules', '.bin', 'headroom'), '--version'], {
      executable: UNSUPPORTED_NODE,
      env,
    });
    expect([result.code, result.stdout, result.stderr]).toEqual([
      1,
      '',
      expect.stringMatching(
        new RegExp(
          `^headroom: Node.js ${MINIMUM_NODE_VERSION} or later is required; this is Node.js 20\\.[\\d.]+ \\(${UNSUPPORTED_NODE}\\)\\n$`,
        ),
      ),
    ]);
  });
});
