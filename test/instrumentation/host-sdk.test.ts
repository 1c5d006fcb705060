// start({ sdk: 'external' }) inside a host's own TracerProvider (what NodeSDK builds from
// `spanProcessors` and `sampler`): Headroom judges every span, the host's exporter keeps its own
// sampling decision. The real NodeSDK in child processes: test/integration/node-sdk.test.ts.
import { diag, SpanKind, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  InMemorySpanExporter,
  ParentBasedSampler,
  type Sampler,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../agent/clock.ts';
import { startEmbedded } from '../../app/start.ts';
import type { HeadroomConfigInput } from '../../config/index.ts';
import { EXTERNAL_SDK_WARNING } from '../../instrumentation/external-sdk-check.ts';
import { type EmbeddedHeadroom, OWN_SDK_SAMPLER_WARNING } from '../../instrumentation/headroom.ts';
import { ScriptedLoad } from '../helpers/agent.ts';
import { OtlpSink } from '../helpers/otlp-sink.ts';

const running: EmbeddedHeadroom[] = [];
afterEach(async () => {
  for (const headroom of running.splice(0)) await headroom.shutdown();
  trace.disable();
  vi.restoreAllMocks();
});

const RULES: HeadroomConfigInput = {
  service: { name: 'checkout' },
  exporters: { prometheus: { enabled: false } },
  rules: [{ match: { kind: 'server', attributes: { 'http.route': '/pay' } }, context: 'emergency' }],
};

function startExternal(
  config: HeadroomConfigInput = RULES,
  env: Record<string, string> = {},
  clock = new ManualClock(Date.now()),
) {
  const headroom = startEmbedded({
    config,
    env,
    sdk: 'external',
    registerGlobal: false,
    clock,
    loadSampler: new ScriptedLoad(),
  });
  running.push(headroom);
  return headroom;
}

/** The host's provider as NodeSDK builds it, named differently from Headroom's config. */
function hostProvider(headroom: EmbeddedHeadroom, sampler: Sampler) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'unknown_service:node' }),
    sampler: headroom.sampler(sampler),
    spanProcessors: [...headroom.spanProcessors, new SimpleSpanProcessor({ exporter })],
  });
  return { provider, exporter, tracer: provider.getTracer('@opentelemetry/instrumentation-http') };
}

/** A server span as instrumentation-http ends it once Express set the route. */
function serve(tracer: ReturnType<typeof hostProvider>['tracer'], route: string): void {
  tracer.startSpan(`GET ${route}`, { kind: SpanKind.SERVER, attributes: { 'http.route': route } }).end();
}

function counts(headroom: EmbeddedHeadroom) {
  return headroom.agent.registry.list().map(({ namespace, service, operation, context, phase, totals }) => ({
    namespace,
    service,
    operation,
    context,
    phase,
    count: totals.count,
  }));
}

describe("start({ sdk: 'external' }) in a host's TracerProvider", () => {
  it("should judge every span as Headroom's service while the host's exporter keeps only what its sampler samples", async () => {
    const headroom = startExternal();
    const { provider, exporter, tracer } = hostProvider(headroom, new AlwaysOffSampler());
    for (let i = 0; i < 3; i++) serve(tracer, '/pay');
    serve(tracer, '/health');
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(counts(headroom)).toEqual([
      {
        namespace: '',
        service: 'checkout',
        operation: 'GET /pay',
        context: 'emergency',
        phase: '',
        count: 3,
      },
    ]);
    await provider.shutdown();
  });

  it('should leave export to the host sampler: all of it with always-on, tracked operations included', async () => {
    const headroom = startExternal();
    const { provider, exporter, tracer } = hostProvider(headroom, new AlwaysOnSampler());
    trace.setGlobalTracerProvider(provider);
    serve(tracer, '/pay');
    expect(headroom.track('quote', 'routine', () => 'ok')).toBe('ok');
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['GET /pay', 'quote']);
    expect(counts(headroom).map(({ operation, count }) => [operation, count])).toEqual([
      ['GET /pay', 1],
      ['quote', 1],
    ]);
    await provider.shutdown();
  });

  it('should wrap no sampler into parent-based always-on that records every span', () => {
    const headroom = startExternal();
    expect(headroom.sampler().toString()).toBe(
      `AlwaysRecordSampler{${new ParentBasedSampler({ root: new AlwaysOnSampler() }).toString()}}`,
    );
    expect(headroom.spanProcessors).toEqual([headroom.spanProcessor]);
  });

  it("should leave span export to the host, Headroom's OTLP exporter pushing its metrics only", async () => {
    const sink = await OtlpSink.start();
    const headroom = startExternal({
      ...RULES,
      exporters: { ...RULES.exporters, otlp: { endpoint: sink.endpoint } },
    });
    expect(headroom.spanProcessors).toEqual([headroom.spanProcessor]);
    const { provider, exporter, tracer } = hostProvider(headroom, new AlwaysOnSampler());
    serve(tracer, '/pay');
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['GET /pay']);
    await headroom.shutdown();
    await provider.shutdown();
    await sink.stop();
    expect(sink.spans).toEqual([]);
    expect(
      sink.metrics
        .filter((metric) => metric.name === 'headroom_operations_total')
        .map((metric) => [metric.resource['service.name'], metric.points]),
    ).toEqual([
      [
        'checkout',
        [{ attributes: { service: 'checkout', operation: 'GET /pay', context: 'emergency' }, value: 1 }],
      ],
    ]);
  });

  it("should warn once when sampler() is asked of a Headroom that registered its own SDK (start() without sdk: 'external')", async () => {
    const warnings: string[] = [];
    diag.setLogger({
      warn: (message: string) => warnings.push(message),
      error: () => {},
      info: () => {},
      debug: () => {},
      verbose: () => {},
    });
    try {
      const own = startEmbedded({
        config: RULES,
        env: {},
        registerGlobal: false,
        loadSampler: new ScriptedLoad(),
      });
      running.push(own);
      own.sampler(new AlwaysOnSampler());
      own.sampler();
      expect(warnings.filter((message) => message === OWN_SDK_SAMPLER_WARNING)).toHaveLength(1);
      startExternal().sampler();
      expect(warnings.filter((message) => message.includes('headroom.sampler()'))).toEqual([
        OWN_SDK_SAMPLER_WARNING,
      ]);
    } finally {
      diag.disable();
    }
  });

  it('should give nothing to judge and pass the sampler through when Headroom is disabled', () => {
    const headroom = startExternal(RULES, { OTEL_SDK_DISABLED: 'true' });
    const sampler = new AlwaysOffSampler();
    expect(headroom.spanProcessors).toEqual([]);
    expect(headroom.sampler(sampler)).toBe(sampler);
    expect(headroom.sampler().toString()).toBe(
      new ParentBasedSampler({ root: new AlwaysOnSampler() }).toString(),
    );
  });

  it("should say nothing 10 s after start for an idle service whose SDK took Headroom's processors and sampler, exporting no probe", () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const clock = new ManualClock(Date.now());
    const headroom = startExternal(RULES, {}, clock);
    const { exporter, provider } = hostProvider(
      headroom,
      new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    );
    trace.setGlobalTracerProvider(provider);
    clock.advance(10_000);
    clock.advance(60_000);
    expect(warn).not.toHaveBeenCalled();
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(counts(headroom)).toEqual([]);
  });

  it("should warn once, 10 s after start, when the SDK took Headroom's processors but not its sampler", () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const clock = new ManualClock(Date.now());
    const headroom = startExternal(RULES, {}, clock);
    const provider = new TracerProvider({
      sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
      spanProcessors: [...headroom.spanProcessors],
    });
    trace.setGlobalTracerProvider(provider);
    clock.advance(10_000);
    clock.advance(60_000);
    expect(warn.mock.calls).toEqual([[EXTERNAL_SDK_WARNING]]);
  });
});
