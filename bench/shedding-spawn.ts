/**
 * Runs the service of `bench/shedding.bench.ts` (not a benchmark itself) in its own process, with
 * a Headroom config written to a temporary directory; every child is killed and the directory
 * removed when the bench exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceListening, ServiceSecond } from './shedding-service.ts';

/** What the service is started with. */
export interface ServiceOptions {
  readonly admission: boolean;
  readonly budgetMs: number;
  readonly slots: number;
  readonly serviceMs: number;
}

const dir = mkdtempSync(join(tmpdir(), 'headroom-shedding-'));
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
process.once('SIGINT', () => process.exit(130));

function configFile({ admission, budgetMs }: ServiceOptions): string {
  const file = join(dir, `headroom-admission-${admission ? 'on' : 'off'}.yaml`);
  writeFileSync(
    file,
    `service: { name: shedding-bench }
exporters:
  prometheus: { enabled: false }
  otlp: { enabled: false }
contexts:
  work: { budget: ${budgetMs}ms, percentile: p95 }
rules:
  - match: { kind: server, attributes: { http.route: /work } }
    context: work
criticality:
  trustedPeers: [127.0.0.1, '::1']
admission:
  enabled: ${admission}
`,
  );
  return file;
}

export interface Service {
  readonly url: string;
  readonly seconds: ServiceSecond[];
  stop(): Promise<void>;
}

/** Starts the service (bench/shedding-service.ts) in its own process; resolves once it listens. */
export async function startService(options: ServiceOptions): Promise<Service> {
  const serviceArgs = ['--config', configFile(options), '--slots', String(options.slots)];
  serviceArgs.push('--service-ms', String(options.serviceMs));
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')));
  const child = spawn(
    process.execPath,
    [...process.execArgv, join(import.meta.dirname, 'shedding-service.ts'), ...serviceArgs],
    { env: { ...env, OTEL_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  live.add(child);
  const seconds: ServiceSecond[] = [];
  const listening = new Promise<string>((resolve, reject) => {
    child.on('message', (message: ServiceListening | ServiceSecond) => {
      if (message.kind === 'listening') resolve(message.url);
      else seconds.push(message);
    });
    child.once('exit', (code) => reject(new Error(`the service exited (${code}) before listening`)));
  });
  const url = await listening;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    live.delete(child);
  };
  return { url, seconds, stop };
}
