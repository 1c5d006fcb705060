// The README's "Route budgets without code" section followed literally, as a newcomer would: its
// headroom.yaml and its Express, Fastify and node:http servers, against headroom-otel as npm packs
// it, type-checked by the real tsc and run by Node in their own processes (Node strips the types),
// answering real requests; what they report goes to an OTLP backend (OTEL_EXPORTER_OTLP_ENDPOINT).
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, runNode, stopProcess } from '../helpers/child-process.ts';
import { CONSUMER_TSCONFIG, consumerProject, removeProject } from '../helpers/consumer-project.ts';
import { OtlpSink } from '../helpers/otlp-sink.ts';

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Route budgets without code'));
const blocks = [...section.slice(0, section.indexOf('\n## ', 3)).matchAll(/```(ts|yaml)\n([\s\S]*?)```/g)];
const yaml = blocks.find(([, lang]) => lang === 'yaml')?.[2] ?? '';
/** The server of each framework, by the subpath it imports. */
const servers = Object.fromEntries(
  ['express', 'fastify', 'http'].map((name) => [
    name,
    blocks.find(([, lang, text]) => lang === 'ts' && text?.includes(`from 'headroom-otel/${name}'`))?.[2] ??
      '',
  ]),
);

let project = '';
let sink: OtlpSink;

beforeAll(async () => {
  sink = await OtlpSink.start();
  project = await consumerProject(['@types/node', '@types/express', 'fastify']);
  writeFileSync(join(project, 'headroom.yaml'), yaml);
  for (const [name, text] of Object.entries(servers)) writeFileSync(join(project, `${name}.ts`), text);
}, 120_000);

afterAll(async () => {
  removeProject(project);
  await sink?.stop();
});

/** Starts `node file` in the project; resolves with the child and the port it printed it listens on. */
async function startServer(
  file: string,
): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const env = childEnv({ PORT: '0', OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint, OTEL_LOG_LEVEL: 'error' });
  const child = spawn(process.execPath, [file], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    // A real child process: bounded on real time, never reached when the server starts.
    const timer = setTimeout(
      () => reject(new Error(`no "listening on" line within 20 s:\n${output}`)),
      20_000,
    );
    const check = (): void => {
      // Only the server's own line: a Headroom log line may name another address (e.g. a Prometheus
      // port that another process holds).
      const found = /listening on[^\n]*?(?:port: (\d+)|127\.0\.0\.1:(\d+))/.exec(output);
      if (found === null) return;
      clearTimeout(timer);
      resolve(Number(found[1] ?? found[2]));
    };
    child.stdout?.on('data', check);
    child.on('exit', () => reject(new Error(`exited before listening:\n${output}`)));
  });
  return { child, port, output: () => output };
}

const PATHS = ['/users/1', '/users/2', '/users/3', '/reports', '/reports', '/nope'];

/** The last value of a cumulative counter per (operation, context), as the backend received it. */
function counters(name: string): Record<string, number> {
  const last: Record<string, number> = {};
  for (const metric of sink.metrics.filter((m) => m.name === name)) {
    for (const point of metric.points)
      last[`${point.attributes.operation} ${point.attributes.context}`] = point.value;
  }
  return last;
}

describe("the README's route budget servers", () => {
  it('should type-check with req.headroom / request.headroom typed, and a misspelt member fail', async () => {
    writeFileSync(
      join(project, 'wrong.ts'),
      servers.express?.replace('req.headroom.signal', 'req.headroom.signl') ?? '',
    );
    const files = ['express.ts', 'fastify.ts', 'http.ts', 'wrong.ts'];
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ ...CONSUMER_TSCONFIG, files }));
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await runNode([tsc, '-p', join(project, 'tsconfig.json')], {
      env: childEnv(),
      timeoutMs: 120_000,
    });
    expect(result.stdout).toMatch(
      /^\S*\/wrong\.ts\(\d+,\d+\): error TS2551: Property 'signl' does not exist on type 'RequestBudget'\. Did you mean 'signal'\?\n$/,
    );
  }, 180_000);

  it.each([
    ['express', 404],
    ['fastify', 404],
    ['http', 200],
  ])(
    '%s.ts should judge each route in the context its YAML rule gives it',
    async (name, unmatchedStatus) => {
      const spansBefore = sink.spans.length;
      sink.metrics.length = 0;
      const { child, port, output } = await startServer(`${name}.ts`);
      const statuses = [];
      for (const path of PATHS) {
        const response = await fetch(`http://127.0.0.1:${port}${path}`);
        await response.arrayBuffer();
        statuses.push(response.status);
      }
      await stopProcess(child, 15_000);
      expect({ code: child.exitCode, statuses }, output()).toEqual({
        code: 0,
        statuses: [200, 200, 200, 503, 503, unmatchedStatus],
      });
      const spans = sink.spans
        .slice(spansBefore)
        .filter((span) => span.attributes['http.request.method'] === 'GET');
      const seen = spans.map((span) => [
        span.name,
        span.attributes['headroom.budget.context'],
        span.attributes['headroom.operation'],
        span.attributes['headroom.http.status_class'],
        span.statusCode,
      ]);
      const unmatchedClass = `${Math.floor(unmatchedStatus / 100)}xx`;
      expect(seen.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))).toEqual([
        ['GET /reports', 'deliberative', 'GET /reports', '5xx', 2],
        ['GET /reports', 'deliberative', 'GET /reports', '5xx', 2],
        ['GET /users/:id', 'emergency', 'get-user', '2xx', 0],
        ['GET /users/:id', 'emergency', 'get-user', '2xx', 0],
        ['GET /users/:id', 'emergency', 'get-user', '2xx', 0],
        ['GET', undefined, undefined, unmatchedClass, 0],
      ]);
      expect(counters('headroom_operations_total')).toEqual({
        'GET /reports deliberative': 2,
        'get-user emergency': 3,
      });
      expect(counters('headroom_operation_errors_total')).toMatchObject({ 'GET /reports deliberative': 2 });
    },
    60_000,
  );
});
