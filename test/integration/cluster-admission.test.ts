// Admission in Node cluster mode for real (review15f H4): a primary and 2 workers sharing one HTTP
// port on 127.0.0.1, each worker behind budgetListener. Every request is 5 ms against a 1 ms budget,
// so the primary's controller, fed with both workers' ratios, sheds; both workers' middleware then
// answers SHEDDABLE with 503 + Retry-After, and the primary's scrape counts every request the
// workers judged. Bounded in time: each wait has a deadline.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { childEnv, stopProcess } from '../helpers/child-process.ts';
import { freePort } from '../helpers/free-port.ts';
import { get, metric, type Reply, until } from './helpers/cluster-probe.ts';

const CLUSTER = new URL('../../cluster.ts', import.meta.url).pathname;
const HTTP = new URL('../../instrumentation/http/http.ts', import.meta.url).pathname;

const PROGRAM = `
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { start } from ${JSON.stringify(CLUSTER)};
import { budgetListener } from ${JSON.stringify(HTTP)};

const headroom = start({ configFiles: ['headroom.yaml'] });
if (cluster.isPrimary) {
  for (let i = 0; i < 2; i++) cluster.fork();
} else {
  const listener = budgetListener(
    headroom,
    (req, res) => setTimeout(() => res.end('ok'), 5),
    { routes: ['/work'], criticality: (req) => req.headers['x-class'] },
  );
  createServer((req, res) => {
    res.setHeader('x-worker', String(process.pid));
    listener(req, res);
  }).listen(Number(process.env.PORT), '127.0.0.1');
}
`;

let child: ChildProcess | undefined;
afterEach(async () => {
  if (child !== undefined) await stopProcess(child);
  child = undefined;
});

describe('admission in Node cluster mode (real processes)', () => {
  it("should answer SHEDDABLE with 503 + Retry-After in both workers once the primary sheds, counted in the primary's scrape", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-cluster-admission-'));
    writeFileSync(join(dir, 'server.mjs'), PROGRAM);
    const [httpPort, metricsPort] = [await freePort(), await freePort()];
    const config = {
      service: { name: 'shop' },
      contexts: { routine: { budget: '1ms' } },
      rules: [{ match: { kind: 'server' }, context: 'routine' }],
      evaluation: { interval: '200ms' },
      exporters: { prometheus: { port: metricsPort } },
    };
    writeFileSync(join(dir, 'headroom.yaml'), stringify(config));
    child = spawn(process.execPath, ['server.mjs'], {
      cwd: dir,
      env: childEnv({ PORT: String(httpPort) }),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const work = `http://127.0.0.1:${httpPort}/work`;
    const metrics = `http://127.0.0.1:${metricsPort}/metrics`;
    await until(
      'both workers started',
      async () => (metric((await get(metrics)).body, 'headroom_cluster_workers') === 2 ? true : undefined),
      60_000,
    );
    const seen = { SHEDDABLE: { admitted: 0, rejected: 0 }, CRITICAL: { admitted: 0, rejected: 0 } };
    const shedBy = new Map<string, Reply>();
    const workers = new Set<string>();
    // CRITICAL and SHEDDABLE in turn, 10 at a time, until both workers have shed a SHEDDABLE request.
    await until(
      'a SHEDDABLE request shed by each worker',
      async () => {
        // Settled, not all: a batch with a refused connection (a worker not listening yet) still
        // counts the requests the other worker judged.
        const settled = await Promise.allSettled(
          Array.from({ length: 10 }, async (_, i) => {
            const criticality = i % 2 === 0 ? 'CRITICAL' : 'SHEDDABLE';
            return { criticality, reply: await get(work, { 'x-class': criticality }) } as const;
          }),
        );
        const replies = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        for (const { criticality, reply } of replies) {
          const worker = String(reply.headers['x-worker']);
          workers.add(worker);
          seen[criticality][reply.status === 503 ? 'rejected' : 'admitted']++;
          if (reply.status === 503 && criticality === 'SHEDDABLE') shedBy.set(worker, reply);
        }
        return shedBy.size === 2 ? true : undefined;
      },
      60_000,
    );
    expect(workers.size).toBe(2);
    for (const reply of shedBy.values()) {
      expect(reply.headers['retry-after']).toBe('1');
      expect(JSON.parse(reply.body)).toMatchObject({
        code: 'HEADROOM_ADMISSION_REJECTED',
        criticality: 'SHEDDABLE',
      });
    }
    // The primary counts exactly what both workers judged (shipped within an interval or two).
    const counted = (text: string, criticality: string, outcome: string) =>
      metric(
        text,
        `headroom_admission_requests_total{service="shop",criticality="${criticality}",outcome="${outcome}"}`,
      ) ?? 0;
    const scrape = await until('every request counted in the primary', async () => {
      const text = (await get(metrics)).body;
      const whole = (['SHEDDABLE', 'CRITICAL'] as const).every(
        (c) =>
          counted(text, c, 'admitted') === seen[c].admitted &&
          counted(text, c, 'rejected') === seen[c].rejected,
      );
      return whole ? text : undefined;
    });
    expect(counted(scrape, 'SHEDDABLE', 'rejected')).toBeGreaterThanOrEqual(2);
    expect(
      metric(scrape, 'headroom_admission_rejection_probability{service="shop",criticality="SHEDDABLE"}'),
    ).toBeGreaterThan(0);
  }, 120_000);
});
