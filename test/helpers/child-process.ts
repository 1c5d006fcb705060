// Child processes of the tests: their environment, and a Node script run to its end.
import { type ChildProcess, spawn } from 'node:child_process';

/**
 * Exactly `env`, plus PATH, plus NODE_V8_COVERAGE when the test run measures coverage (the child
 * then writes its V8 coverage where the run collects it, so code run in children counts).
 */
export function childEnv(env: Readonly<Record<string, string>> = {}): Record<string, string> {
  const coverage = process.env.NODE_V8_COVERAGE;
  return {
    PATH: process.env.PATH ?? '',
    ...(coverage === undefined ? {} : { NODE_V8_COVERAGE: coverage }),
    ...env,
  };
}

/** How a {@link runNode} child ended. */
export interface NodeRun {
  /** Exit code; `null` when a signal ended it (the SIGKILL at the deadline, say). */
  readonly code: number | null;
  readonly stdout: string;
  /** stderr as written; empty when it was inherited. */
  readonly stderr: string;
  /** From spawn to the end of its output, ms (wall clock). */
  readonly ms: number;
}

/** How to run a {@link runNode} child. */
export interface NodeRunOptions {
  /** The child's environment (see {@link childEnv}); the test process's own when absent. */
  readonly env?: Record<string, string>;
  /** SIGKILL after this long, ms; default 15,000. */
  readonly timeoutMs?: number;
  /** Pass stderr through to the test's own instead of collecting it. */
  readonly inheritStderr?: boolean;
  /** The Node.js executable; the one running the tests when absent. */
  readonly executable?: string;
  /** The child's working directory; the test process's own when absent. */
  readonly cwd?: string;
}

/** Runs `node ...args` to its end (stdout and stderr closed); rejects only when it cannot be spawned. */
export function runNode(args: readonly string[], options: NodeRunOptions = {}): Promise<NodeRun> {
  const startedMs = performance.now();
  const child = spawn(options.executable ?? process.execPath, args, {
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    stdio: ['ignore', 'pipe', options.inheritStderr === true ? 'inherit' : 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  // A real child process: a backstop on real time, never reached when the test passes.
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: performance.now() - startedMs });
    });
  });
}

/**
 * Stops `child` as its operator would: SIGTERM (a child measuring coverage then writes it), then
 * SIGKILL if it has not exited within `graceMs` (default 5,000); resolves once it has exited.
 */
export function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // A real child process: SIGKILL on real time if SIGTERM does not end it.
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
