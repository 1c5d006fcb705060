import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DegradationDecision, ManualClock } from '../../agent/index.ts';
import type { HeadroomConfigInput } from '../../config/index.ts';
import { createOtlpTraceProcessor } from '../../exporters/otlp/index.ts';
import { DECISION_SPAN, decisionAttributes } from '../../instrumentation/index.ts';
import { configOf, ScriptedLoad } from '../helpers/agent.ts';
import { startInstrumented } from '../helpers/headroom.ts';
import { OtlpGrpcSink } from '../helpers/otlp-grpc-sink.ts';
import { OtlpSink } from '../helpers/otlp-sink.ts';

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  // Phases are child spans: parent/child links need a real context manager, as in a service.
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  contextManager.disable();
  context.disable();
});

/** An embedded Headroom exporting over OTLP to `sink`, as a service would start it. */
function startExporting(sink: OtlpSink | OtlpGrpcSink, protocol: 'http/protobuf' | 'http/json' | 'grpc') {
  const input: HeadroomConfigInput = {
    service: { name: 'checkout', version: '1.4.2' },
    exporters: { otlp: { endpoint: sink.endpoint, protocol } },
  };
  const otlp = createOtlpTraceProcessor(configOf(input).exporters.otlp);
  const headroom = startInstrumented({
    config: input,
    env: {},
    registerGlobal: false,
    spanProcessors: [otlp],
    clock: new ManualClock(Date.now()),
    loadSampler: new ScriptedLoad(),
  });
  return { headroom, otlp };
}

describe.each(['http/protobuf', 'http/json', 'grpc'] as const)('OTLP round trip over %s', (protocol) => {
  it('should deliver operation, phase and degradation spans with their headroom attributes and resource', async () => {
    const sink = protocol === 'grpc' ? await OtlpGrpcSink.start() : await OtlpSink.start();
    const { headroom, otlp } = startExporting(sink, protocol);
    const decisions: DegradationDecision[] = [];
    headroom.onDecision((decision) => decisions.push(decision));

    expect(headroom.track('quote', 'emergency', () => 42)).toBe(42);
    await headroom.track('checkout', 'routine', async (op) => {
      op.phase('routing', () => 'eu-west');
      await op.phase('execution', async () => 'ok');
    });
    // An operation that took 80 ms against its 50ms budget (explicit times: no sleeping).
    const startMs = Date.now() - 1000;
    headroom.tracerProvider
      ?.getTracer('headroom-otel')
      .startSpan('slow-quote', {
        attributes: { 'headroom.budget.context': 'emergency', 'headroom.budget.ms': 50 },
        startTime: startMs,
      })
      .end(startMs + 80);
    headroom.override('SEVERE', 'test');
    await headroom.shutdown(); // flushes the OTLP queue through the provider
    await sink.stop();

    expect(otlp.stats()).toEqual({
      exported: 6,
      dropped: { queue_full: 0, retries_exhausted: 0, non_retryable: 0, shutdown: 0 },
      retries: 0,
      queueSize: 0,
      queueCapacity: 2048,
    });
    const byName = new Map(sink.spans.map((span) => [span.name, span]));
    expect([...byName.keys()].sort()).toEqual([
      'checkout',
      'execution',
      DECISION_SPAN,
      'quote',
      'routing',
      'slow-quote',
    ]);
    expect(byName.get('slow-quote')?.events).toEqual([
      expect.objectContaining({
        name: 'headroom.budget.exceeded',
        attributes: { 'headroom.budget.ms': 50, 'headroom.duration_ms': 80, 'headroom.budget.ratio': 1.6 },
      }),
    ]);
    for (const span of sink.spans) {
      expect(span.resource).toMatchObject({ 'service.name': 'checkout', 'service.version': '1.4.2' });
      expect(span.scope).toBe('headroom-otel');
    }
    expect(byName.get('quote')?.attributes).toEqual({
      'headroom.budget.context': 'emergency',
      'headroom.budget.ms': 50,
    });
    const checkout = byName.get('checkout');
    expect(checkout?.attributes).toEqual({
      'headroom.budget.context': 'routine',
      'headroom.budget.ms': 200,
    });
    for (const [phase, budgetMs] of [
      ['routing', 20],
      ['execution', 140],
    ] as const) {
      expect(byName.get(phase)).toMatchObject({
        traceId: checkout?.traceId,
        parentSpanId: checkout?.spanId,
        attributes: { 'headroom.phase': phase, 'headroom.budget.ms': budgetMs },
      });
    }
    const [decision] = decisions;
    expect([decisions.length, decision?.from, decision?.to, decision?.reason]).toEqual([
      1,
      'NONE',
      'SEVERE',
      'manual-override',
    ]);
    expect(byName.get(DECISION_SPAN)?.events[0]?.attributes).toMatchObject({
      'headroom.degradation.from': 'NONE',
      'headroom.degradation.to': 'SEVERE',
      'headroom.degradation.reason': 'manual-override',
    });
    expect(byName.get(DECISION_SPAN)).toMatchObject({
      attributes: { 'headroom.degradation.level': 'SEVERE' },
      events: [{ name: 'headroom.degradation.decision', attributes: decisionAttributes(decision!) }],
    });
  });
});
