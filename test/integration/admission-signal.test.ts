// Collector mode: a service exports its spans with the official OTLP/HTTP (protobuf) exporter; the
// collector judges each whole operation in the class its headroom.criticality names and feeds the
// service's admission controller, whose per-class ratios drive its decisions. Spans of requests
// admission rejected are accepted and never judged.
import { type Attributes, SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../agent/index.ts';
import type { Collector } from '../../app/collector.ts';
import { startTestCollector } from '../helpers/collector.ts';

let collector: Collector | undefined;
afterEach(async () => {
  await collector?.shutdown(2000);
  collector = undefined;
});

/** Sends spans to the collector as a service's SDK does (export requests of 50 spans), all ending now on `clock`. */
async function sendSpans(url: string, clock: ManualClock, spans: readonly [number, Attributes, number][]) {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.namespace': 'shop' }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: `${url}/v1/traces` }),
        maxExportBatchSize: 50,
        maxQueueSize: 512,
      }),
    ],
  });
  const tracer = provider.getTracer('app');
  const endMs = clock.now();
  for (const [count, attributes, durationMs] of spans) {
    for (let i = 0; i < count; i++) {
      tracer
        .startSpan('quote', { kind: SpanKind.SERVER, attributes, startTime: endMs - durationMs })
        .end(endMs);
    }
  }
  await provider.forceFlush();
  await provider.shutdown();
}

const QUOTE = { 'headroom.budget.context': 'emergency', 'headroom.operation': 'quote' };
const REJECTED = { ...QUOTE, 'headroom.admission.outcome': 'rejected' };

describe('collector mode: the admission signal from OTLP spans', () => {
  it("should judge each span in its class, feed the service's controller and shed on the protected classes' ratio", async () => {
    const clock = new ManualClock(Date.now());
    const started = await startTestCollector(
      [
        'receiver: { port: 0, grpc: { port: 0 } }',
        'criticality: { classes: { SHEDDABLE: { budgetMultiplier: 4 } } }',
      ],
      { clock },
    );
    collector = started.collector;
    const agent = collector.agent;
    const record = vi.spyOn(agent.admission('checkout', 'shop'), 'record');
    await sendSpans(collector.receiver.url, clock, [
      [24, { ...QUOTE, 'headroom.criticality': 'CRITICAL' }, 100], // 2x the 50 ms budget
      [30, { ...QUOTE, 'headroom.criticality': 'SHEDDABLE' }, 100], // 0.5x its 200 ms budget
      [6, { ...QUOTE, 'headroom.criticality': 'Sheddable' }, 40], // invalid: CRITICAL, 0.8x
      [40, { ...REJECTED, 'headroom.criticality': 'CRITICAL' }, 1], // never judged
      [10, REJECTED, 1],
    ]);
    const byClass = new Map<string, number[]>();
    for (const [criticality, ratio] of record.mock.calls)
      byClass.set(criticality, [...(byClass.get(criticality) ?? []), ratio]);
    expect(
      [...byClass].map(([criticality, ratios]) => [criticality, ratios.length, new Set(ratios)]),
    ).toEqual([
      ['CRITICAL', 30, new Set([2, 0.8])],
      ['SHEDDABLE', 30, new Set([0.5])],
    ]);
    const [series] = agent.registry.list();
    expect([series?.operation, series?.window.snapshot(clock.now()).count]).toEqual(['quote', 60]);

    // The collector's own evaluation tick, one interval later on its clock.
    clock.advance(1000);
    const controller = agent.admission('checkout', 'shop');
    expect(
      controller.auditLog.entries().map(({ criticality, from, to, reason, evidence }) => ({
        criticality,
        from,
        to,
        reason,
        evidence,
      })),
    ).toEqual([
      {
        criticality: 'SHEDDABLE',
        from: 0,
        to: 0.1,
        reason: 'overload',
        evidence: {
          criticality: 'CRITICAL',
          percentile: 'p95',
          ratio: expect.closeTo(2, 1),
          thresholdRatio: 1,
          samples: 30,
        },
      },
    ]);
    expect(controller.state().classes.SHEDDABLE.probability).toBe(0.1);
  });
});
