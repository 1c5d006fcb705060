import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OtlpExportStats } from '../../exporters/otlp/index.ts';
import { runNode } from '../helpers/child-process.ts';
import { OtlpSink } from '../helpers/otlp-sink.ts';

const modules = {
  otlp: new URL('../../exporters/otlp/index.ts', import.meta.url).href,
  instrumentation: new URL('../../instrumentation/index.ts', import.meta.url).href,
  config: new URL('../../config/index.ts', import.meta.url).href,
  sdk: import.meta.resolve('@opentelemetry/sdk-trace'),
};

/** A service process: `body` runs after `otlp` (the processor) and `input` (the config) are set up. */
function serviceScript(otlpInput: object, body: string): string {
  return `
    import { createOtlpTraceProcessor } from '${modules.otlp}';
    import { startInstrumentation } from '${modules.instrumentation}';
    import { parseConfig } from '${modules.config}';
    import { TracerProvider } from '${modules.sdk}';
    const input = { service: { name: 'exit-check' }, exporters: { otlp: ${JSON.stringify(otlpInput)} } };
    const config = parseConfig([{ file: 'inline.yaml', text: JSON.stringify(input) }], {});
    const otlp = createOtlpTraceProcessor(config.exporters.otlp, { scheduledDelayMs: 60_000 });
    process.on('exit', () => console.log(JSON.stringify(otlp.stats())));
    ${body}
  `;
}

/** Runs `script` in a fresh Node process; resolves with its exit code, last stdout line and run time. */
async function runService(
  script: string,
): Promise<{ code: number | null; stats: OtlpExportStats; ms: number }> {
  const { code, stdout, stderr, ms } = await runNode(['--input-type=module', '-e', script]);
  const last = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return { code, stats: JSON.parse(last) as OtlpExportStats, ms };
  } catch {
    throw new Error(`service exited with ${code}: ${stdout}${stderr}`);
  }
}

const NONE = { queue_full: 0, retries_exhausted: 0, non_retryable: 0, shutdown: 0 };
let sink: OtlpSink;
beforeEach(async () => {
  sink = await OtlpSink.start();
});
afterEach(async () => {
  await sink.stop();
});

describe('OTLP export and the process lifecycle', () => {
  it('should flush the queue on shutdown and let the process exit', async () => {
    const script = serviceScript(
      { endpoint: sink.endpoint },
      `const headroom = startInstrumentation(config, { registerGlobal: false, spanProcessors: [otlp] });
       for (let i = 0; i < 10; i++) headroom.track('quote', 'emergency', () => i);
       await headroom.shutdown();`,
    );
    const { code, stats } = await runService(script);
    expect([code, stats]).toEqual([
      0,
      { exported: 10, dropped: NONE, retries: 0, queueSize: 0, queueCapacity: 2048 },
    ]);
    expect(sink.spans.map((s) => s.resource['service.name'])).toEqual(Array(10).fill('exit-check'));
  });

  it('should not keep the process alive while spans wait in the queue', async () => {
    const script = serviceScript(
      { endpoint: sink.endpoint },
      `const tracer = new TracerProvider({ spanProcessors: [otlp] }).getTracer('t');
       for (let i = 0; i < 10; i++) tracer.startSpan('quote').end();`,
    );
    const { code, stats, ms } = await runService(script);
    expect([code, stats.queueSize, sink.requests.length]).toEqual([0, 10, 0]);
    expect(ms).toBeLessThan(10_000);
  });

  it('should give up on a hung backend at the shutdown timeout, count the spans and exit', async () => {
    sink.script(...Array(20).fill('hang'));
    const script = serviceScript(
      { endpoint: sink.endpoint, timeout: '300ms' },
      `const tracer = new TracerProvider({ spanProcessors: [otlp] }).getTracer('t');
       for (let i = 0; i < 10; i++) tracer.startSpan('quote').end();
       const startedMs = Date.now();
       await otlp.shutdown();
       if (Date.now() - startedMs > 2000) process.exitCode = 3;`,
    );
    const { code, stats } = await runService(script);
    expect([code, stats]).toEqual([
      0,
      { exported: 0, dropped: { ...NONE, shutdown: 10 }, retries: 0, queueSize: 0, queueCapacity: 2048 },
    ]);
  });
});
