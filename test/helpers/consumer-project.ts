// A project outside the repository that installs headroom-otel as a user gets it: `npm pack`,
// unpacked into its node_modules, beside links to the packages it needs from the repository's
// node_modules. Needs the built dist/ (`npm test` builds before it runs the tests).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

/** The tsconfig of a strict ESM TypeScript service. */
export const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: 'es2023',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    types: ['node'],
  },
};

/**
 * Creates the project in a new temporary folder and returns it; remove it with
 * `rmSync(dir, { recursive: true })`. Links the package's dependencies and peer dependencies and
 * the `extra` packages (types, frameworks) a test needs.
 */
export async function consumerProject(extra: readonly string[] = []): Promise<string> {
  const project = mkdtempSync(join(tmpdir(), 'headroom-consumer-'));
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', project], {
    cwd: root,
  });
  const [packed] = JSON.parse(stdout) as [{ filename: string }];
  const unpacked = join(project, 'node_modules', 'headroom-otel');
  mkdirSync(unpacked, { recursive: true });
  await run('tar', ['xzf', join(project, packed.filename), '-C', unpacked, '--strip-components=1']);
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    readonly dependencies: Record<string, string>;
    readonly peerDependencies: Record<string, string>;
  };
  const names = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies), ...extra];
  for (const name of new Set(names)) {
    const target = join(project, 'node_modules', name);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(join(root, 'node_modules', name), target, 'dir');
  }
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', type: 'module', private: true }),
  );
  return project;
}

/** Removes a project {@link consumerProject} made. */
export function removeProject(project: string): void {
  if (project !== '') rmSync(project, { recursive: true, force: true });
}
