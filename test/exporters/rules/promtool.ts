/**
 * Runs Debian's `promtool` (package `prometheus`). Tests that need it fail, not skip, when it is
 * missing: CI installs it (.ci/run), and a machine without it should say so loudly.
 */
import { spawnSync } from 'node:child_process';

/** What one promtool run printed, and its exit code. */
export interface PromtoolResult {
  readonly code: number | null;
  readonly output: string;
}

/**
 * `promtool <args>`, stdout and stderr together.
 * @throws {Error} saying how to install promtool when it is not on the PATH
 */
export function promtool(...args: string[]): PromtoolResult {
  const run = spawnSync('promtool', args, { encoding: 'utf8' });
  if (run.error !== undefined) {
    throw new Error(
      `promtool is not installed (${run.error.message}): install Prometheus' tools, e.g. "apt-get install prometheus" on Debian/Ubuntu, or put promtool from https://prometheus.io/download/ on the PATH`,
    );
  }
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}
