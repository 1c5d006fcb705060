// `headroom agent` in a child process (from source), with its JSON-lines log parsed as it comes.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { childEnv, stopProcess } from './child-process.ts';
import type { LogRecord } from './log.ts';

/** A running `headroom agent`. */
export interface CollectorProcess {
  readonly child: ChildProcess;
  /** Exit code (`null` when killed by a signal) and when it exited (performance.now()). */
  readonly exited: Promise<{ code: number | null; atMs: number }>;
  /** Every stderr line so far, parsed; a line that is not JSON fails the test that reads it. */
  records(): LogRecord[];
  /** stderr as written. */
  raw(): string;
  /** Resolves with the first record `match` accepts; rejects after `timeoutMs`. */
  waitFor(match: (record: LogRecord) => boolean, what: string, timeoutMs?: number): Promise<LogRecord>;
}

const running: ChildProcess[] = [];

/**
 * Stops every agent still running (await it in afterEach): SIGTERM, so that an agent measuring
 * coverage writes it, and SIGKILL for one that has not exited within 3 s.
 */
export async function killCollectors(): Promise<void> {
  await Promise.all(running.splice(0).map((child) => stopProcess(child, 3000)));
}

/** More of how to start the agent. */
export interface CollectorProcessOptions {
  /** Arguments after the `--config` ones, e.g. `['--watch']`. */
  readonly args?: readonly string[];
  /** Soft descriptor limit of the child (`ulimit -n`, through /bin/sh); the inherited one when absent. */
  readonly fdLimit?: number;
  /**
   * The child's working directory, where its default store `data/headroom.db` lives.
   * @default a new temporary folder: each agent has a store of its own unless `files` set one
   */
  readonly cwd?: string;
}

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Starts `headroom agent --config FILE...` with exactly `env` (plus PATH, see {@link childEnv});
 * relative `files` are found from the project's root.
 */
export function startCollectorProcess(
  files: readonly string[],
  env: Record<string, string> = {},
  options: CollectorProcessOptions = {},
): CollectorProcess {
  const args = [
    join(ROOT, 'test/helpers/run-cli.ts'),
    'agent',
    ...files.flatMap((file) => ['--config', resolve(ROOT, file)]),
    ...(options.args ?? []),
  ];
  const quoted = [process.execPath, ...args].map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(' ');
  const [command, argv] =
    options.fdLimit === undefined
      ? [process.execPath, args]
      : ['/bin/sh', ['-c', `ulimit -n ${options.fdLimit} && exec ${quoted}`]];
  const child = spawn(command, argv, {
    cwd: options.cwd ?? mkdtempSync(join(tmpdir(), 'headroom-agent-')),
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; atMs: number }>((resolve) =>
    child.on('exit', (code) => resolve({ code, atMs: performance.now() })),
  );
  const records = () =>
    stderr
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        try {
          return JSON.parse(line) as LogRecord;
        } catch {
          throw new Error(`not a JSON log line: ${line}`);
        }
      });
  const waitFor = async (match: (record: LogRecord) => boolean, what: string, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = records().find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no log line ${what}; log so far:\n${stderr}`);
      // A real child process logs in its own time: bounded polling.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { child, exited, records, raw: () => stderr, waitFor };
}

/** Resolves once `count` records have the message `msg`. */
export async function waitForCount(
  agent: CollectorProcess,
  msg: string,
  count: number,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (agent.records().filter((record) => record.msg === msg).length < count) {
    if (Date.now() > deadline)
      throw new Error(`"${msg}" not logged ${count} times; log so far:\n${agent.raw()}`);
    // A real child process logs in its own time: bounded polling.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The decision API URL an agent logged at start. */
export async function apiUrl(agent: CollectorProcess): Promise<string> {
  const record = await agent.waitFor((r) => r.msg.startsWith('decision API on '), 'decision API');
  return /on (http:\/\/\S+)/.exec(record.msg)?.[1] ?? '';
}

/** The receiver URL an agent logged at start. */
export async function receiverUrl(agent: CollectorProcess): Promise<string> {
  const record = await agent.waitFor((r) => r.msg.startsWith('receiving OTLP/HTTP on '), 'receiving');
  return /on (http:\/\/\S+)/.exec(record.msg)?.[1] ?? '';
}
