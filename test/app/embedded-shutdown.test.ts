// Fault class: embedded `await headroom.shutdown()` with an OTLP backend that is down or hangs,
// with and without something else holding the event loop; and embedded diag logging. Each case
// runs in a fresh Node process, the only way to see "nothing else holds the loop".
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { childEnv, runNode } from '../helpers/child-process.ts';
import type { LogRecord } from '../helpers/log.ts';
import { OtlpSink } from '../helpers/otlp-sink.ts';

const START = new URL('../../app/start.ts', import.meta.url).href;
const API = import.meta.resolve('@opentelemetry/api');

let sink: OtlpSink | undefined;
afterEach(async () => {
  await sink?.stop();
  sink = undefined;
});

interface Run {
  readonly code: number | null;
  readonly stdout: string[];
  readonly records: LogRecord[];
}

/** Runs `body` after `start` is imported, in a new process with exactly `env`. */
async function run(body: string, env: Record<string, string> = {}): Promise<Run> {
  const script = `import { start } from '${START}';\nimport { diag } from '${API}';\n${body}`;
  const { code, stdout, stderr } = await runNode(['--input-type=module', '-e', script], {
    env: childEnv(env),
    timeoutMs: 20_000,
  });
  const lines = (text: string) => text.split('\n').filter((line) => line !== '');
  try {
    return {
      code,
      stdout: lines(stdout),
      records: lines(stderr).map((line) => JSON.parse(line) as LogRecord),
    };
  } catch {
    throw new Error(`stderr is not JSON lines (exit ${code}):\n${stderr}`);
  }
}

/** A service that tracks 5 operations, then awaits shutdown() and prints how long it took. */
function service(endpoint: string, hold: boolean): string {
  const config = {
    service: { name: 'embedded' },
    shutdown: { timeout: '1500ms' },
    exporters: { prometheus: { enabled: false }, otlp: { endpoint, timeout: '1500ms' } },
  };
  return `
    const headroom = start({ config: ${JSON.stringify(config)}, env: {}, registerGlobal: false });
    for (let i = 0; i < 5; i++) headroom.track('quote', 'emergency', () => i);
    ${hold ? 'const holder = setInterval(() => {}, 1000);' : ''}
    const startedMs = performance.now();
    process.on('exit', () => console.log('exit ' + Math.round(performance.now() - startedMs)));
    await headroom.shutdown();
    console.log('settled ' + Math.round(performance.now() - startedMs));
    ${hold ? 'clearInterval(holder);' : ''}
  `;
}

async function deadEndpoint(): Promise<string> {
  const down = await OtlpSink.start();
  await down.stop();
  return down.endpoint;
}

async function hungEndpoint(): Promise<string> {
  sink = await OtlpSink.start();
  sink.script(...Array(10).fill('hang'));
  return sink.endpoint;
}

const ms = (line: string | undefined) => Number(line?.split(' ')[1]);

describe('embedded shutdown()', () => {
  it.each([
    ['down', false],
    ['down', true],
    ['hung', false],
    ['hung', true],
  ] as const)(
    'should settle within shutdown.timeout with the backend %s (another loop holder: %s)',
    async (backend, hold) => {
      const endpoint = backend === 'down' ? await deadEndpoint() : await hungEndpoint();
      const { code, stdout, records } = await run(service(endpoint, hold));
      expect(code).toBe(0);
      expect(stdout.map((line) => line.split(' ')[0])).toEqual(['settled', 'exit']);
      const [settledMs, exitMs] = [ms(stdout[0]), ms(stdout[1])];
      // One bound for the whole shutdown, not one per exporter in sequence (it was ~2x).
      expect(settledMs).toBeGreaterThanOrEqual(1400);
      // Well under 2x the bound (the old sequence of timeouts); slack for a loaded CI box.
      expect(settledMs).toBeLessThan(1500 + 900);
      // Nothing Headroom left behind keeps the process alive after shutdown() settled.
      // (a held timer would keep it for seconds: the exporters' own timeouts are >= the bound).
      expect(exitMs - settledMs).toBeLessThan(1000);
      expect(records).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          name: 'headroom',
          component: 'otel',
          msg: 'headroom: dropped 5 span(s) for OTLP export (shutdown)',
        }),
      );
    },
    30_000,
  );
});

describe('embedded diag logging', () => {
  /** A port held by this process for the duration of `use`. */
  async function withTakenPort<T>(use: (port: number) => Promise<T>): Promise<T> {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      return await use((blocker.address() as { port: number }).port);
    } finally {
      blocker.close();
    }
  }

  const takenPortService = (port: number, before = '') => `
    ${before}
    const headroom = start({ config: { exporters: { prometheus: { port: ${port} } } }, env: process.env, registerGlobal: false });
    await headroom.shutdown();
    console.log('ok');
  `;
  const message = (port: number) =>
    `headroom: Prometheus endpoint cannot listen on 127.0.0.1:${port} (listen EADDRINUSE: address already in use 127.0.0.1:${port}); metrics are not served`;

  it('should make a taken Prometheus port visible on stderr, never a crash, when no diag logger is registered', async () => {
    await withTakenPort(async (port) => {
      const { code, stdout, records } = await run(takenPortService(port));
      expect([code, stdout]).toEqual([0, ['ok']]);
      expect(records.map(({ level, msg, component }) => ({ level, msg, component }))).toEqual([
        { level: 'error', msg: message(port), component: 'otel' },
      ]);
    });
  });

  it('should honour OTEL_LOG_LEVEL: none is silent, debug adds the SDK debug lines', async () => {
    await withTakenPort(async (port) => {
      const silent = await run(takenPortService(port), { OTEL_LOG_LEVEL: 'none' });
      expect([silent.code, silent.stdout, silent.records]).toEqual([0, ['ok'], []]);
      const debug = await run(takenPortService(port), { OTEL_LOG_LEVEL: 'debug' });
      expect(debug.code).toBe(0);
      expect(debug.records.filter((r) => r.level === 'error').map((r) => r.msg)).toEqual([message(port)]);
      expect(debug.records.some((r) => r.level === 'debug')).toBe(true);
    });
  });

  it("should leave the service's own diag logger in place and report through it", async () => {
    await withTakenPort(async (port) => {
      const mine = `
        const seen = [];
        const log = (level) => (msg) => seen.push(level + ': ' + msg);
        diag.setLogger({ error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug'), verbose: log('verbose') });
        process.on('exit', () => console.log(JSON.stringify(seen)));
      `;
      const { code, stdout, records } = await run(takenPortService(port, mine), { OTEL_LOG_LEVEL: 'debug' });
      expect([code, records]).toEqual([0, []]);
      expect(stdout).toEqual(['ok', JSON.stringify([`error: ${message(port)}`])]);
    });
  });
});
