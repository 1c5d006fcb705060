/**
 * What the integration helpers share to run real servers from Debian packages: finding a binary
 * on PATH (installing its package when root), spawning it, polling with a deadline.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The path of `command` on PATH, or `undefined`. */
export function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const file = join(dir, command);
    if (dir !== '' && existsSync(file)) return file;
  }
  return undefined;
}

/**
 * Runs `find`; when it finds nothing, installs the Debian `pkg` with apt-get (root only) and
 * tries again. Fails with `hint` (never skips) when the binaries stay missing.
 */
export function ensureDebianPackage<T>(pkg: string, find: () => T | undefined, hint: string): T {
  const found = find();
  if (found !== undefined) return found;
  if (process.getuid?.() !== 0) throw new Error(`${hint} (not root: cannot install it here)`);
  const install = spawnSync(
    'sh',
    ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}`],
    { encoding: 'utf8', timeout: 110_000 },
  );
  const installed = find();
  if (installed === undefined)
    throw new Error(`${hint}; apt-get failed (${install.status}): ${install.stderr}`);
  return installed;
}

/** Spawns a server `binary` (in `cwd`, with `env`); `log()` is what it wrote on stdout and stderr so far. */
export function spawnServer(
  binary: string,
  args: readonly string[],
  options: { readonly cwd?: string; readonly env?: Record<string, string> } = {},
): { child: ChildProcess; log: () => string } {
  const child = spawn(binary, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (chunk) => (log += chunk));
  child.stderr?.on('data', (chunk) => (log += chunk));
  return { child, log: () => log };
}

/** Resolves once `server` answers `GET /-/ready` (30 s at most); stops it and rethrows otherwise. */
export async function awaitReady(server: { readonly url: string; stop(): Promise<void> }, log: () => string) {
  try {
    await waitUntil(async () => (await fetch(`${server.url}/-/ready`)).ok, 30_000, log);
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** Polls `condition` every `intervalMs` until it holds; a throwing poll counts as not yet. */
export async function waitUntil(
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
  state: () => string,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await condition()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${state()}`);
    // Real servers in child processes come up in their own time: bounded polling.
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
