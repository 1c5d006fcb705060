// Node cluster mode for real: the README's program (server.mjs and headroom.yaml, taken from the
// README) run as a primary with 2 workers sharing one HTTP port. One scrape of the primary shows
// the exact total of both workers; a decision the primary takes from the merged windows (each
// worker alone has too few samples to be judged) switches the feature off in both workers.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { childEnv, stopProcess } from '../helpers/child-process.ts';
import { freePort } from '../helpers/free-port.ts';
import { get, metric, until } from './helpers/cluster-probe.ts';

const CLUSTER = new URL('../../cluster.ts', import.meta.url).pathname;

/** The first block of `language` in the README section `heading`. */
function readmeBlock(heading: string, language: string): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf(`\n## ${heading}\n`));
  const start = section.indexOf(`\`\`\`${language}\n`) + language.length + 4;
  return section.slice(start, section.indexOf('\n```', start) + 1);
}

let child: ChildProcess | undefined;
afterEach(async () => {
  if (child !== undefined) await stopProcess(child);
  child = undefined;
});

describe('Node cluster mode (the README program)', () => {
  it('should count both workers in one scrape of the primary and switch a feature off in both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-cluster-'));
    const program = readmeBlock('Node cluster mode', 'js');
    expect(program).toContain("from 'headroom-otel/cluster'");
    writeFileSync(
      join(dir, 'server.mjs'),
      program.replace("'headroom-otel/cluster'", JSON.stringify(CLUSTER)),
    );
    const [httpPort, metricsPort] = [await freePort(), await freePort()];
    // The README's configuration, judged fast: 25 samples at least, a 1us budget every request
    // violates, escalation at the first violating tick.
    const config = parse(readmeBlock('Node cluster mode', 'yaml')) as Record<string, Record<string, unknown>>;
    config.contexts = { routine: { budget: '1us', minSamples: 25 } };
    config.evaluation = { interval: '200ms' };
    config.degradation = { ...config.degradation, escalation: { ticks: 1 } };
    config.exporters = { prometheus: { port: metricsPort } };
    writeFileSync(join(dir, 'headroom.yaml'), stringify(config));
    child = spawn(process.execPath, ['server.mjs'], {
      cwd: dir,
      env: childEnv({ PORT: String(httpPort) }),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const hello = `http://127.0.0.1:${httpPort}/`;
    const metrics = `http://127.0.0.1:${metricsPort}/metrics`;
    const served = new Map<string, number>();
    let sent = 0;
    const call = async () => {
      const { body } = await get(hello);
      sent++;
      const pid = /worker (\d+)/.exec(body)?.[1] as string;
      served.set(pid, (served.get(pid) ?? 0) + 1);
      return { pid, recommendations: body.includes('with recommendations') };
    };
    // Both workers started (their hello reached the primary), then both listening: connections
    // alternate between them. Few warm-up requests, so the premise below holds even under load.
    await until(
      'both workers started',
      async () => (metric((await get(metrics)).body, 'headroom_cluster_workers') === 2 ? true : undefined),
      60_000,
    );
    await until('both workers listening', async () =>
      (await call()) && served.size === 2 ? true : undefined,
    );
    for (let i = 0; i < 30; i++) expect((await call()).recommendations).toBe(true);
    // The premise: neither worker alone reached minSamples (25); the group did.
    expect([...served.values()].every((n) => n < 25)).toBe(true);
    expect(sent).toBeGreaterThanOrEqual(32);

    const total = await until('every request counted', async () => {
      const text = (await get(metrics)).body;
      const value = metric(
        text,
        'headroom_operations_total{service="hello",operation="GET /hello",context="routine"}',
      );
      return value === sent ? text : undefined;
    });
    expect(metric(total, 'headroom_cluster_workers')).toBe(2);

    const degraded = new Set<string>();
    await until('the feature switched off in both workers', async () => {
      const { pid, recommendations } = await call();
      if (!recommendations) degraded.add(pid);
      return degraded.size === 2 ? true : undefined;
    });
    const after = (await get(metrics)).body;
    expect(metric(after, 'headroom_degradation_level{service="hello"}')).toBeGreaterThanOrEqual(1);

    // A worker dies: what it shipped stays, the counter never goes back.
    const before = metric(
      after,
      'headroom_operations_total{service="hello",operation="GET /hello",context="routine"}',
    );
    process.kill(Number([...degraded][0]), 'SIGKILL');
    const last = await until('the exit counted', async () => {
      const text = (await get(metrics)).body;
      return metric(text, 'headroom_cluster_workers_exited_total') === 1 ? text : undefined;
    });
    const final = metric(
      last,
      'headroom_operations_total{service="hello",operation="GET /hello",context="routine"}',
    );
    expect(final).toBeGreaterThanOrEqual(before as number);
    expect(metric(last, 'headroom_cluster_workers')).toBe(1);
  }, 120_000);
});
