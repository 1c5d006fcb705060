/**
 * Collector mode judges remote services by their own spans: the collector's event-loop and CPU
 * load do not scale their budgets, and a sender's clock skew is corrected and exposed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../agent/index.ts';
import type { Collector } from '../../app/collector.ts';
import { family } from '../exporters/metrics/families.ts';
import { recordMany, ScriptedLoad, testAgent } from '../helpers/agent.ts';
import { startTestCollector } from '../helpers/collector.ts';
import { checkMetrics } from '../integration/helpers/prometheus.ts';

let collector: Collector | undefined;
afterEach(async () => {
  await collector?.shutdown(2000);
  collector = undefined;
});

const OVERLOADED = { eventLoopDelayP99Ms: 500, eventLoopUtilization: 1, cpu: 4 };

/** One OTLP/JSON request: `count` spans of `durationMs` from `service`, ending at `endMs` and just before. */
function traceRequest(service: string, count: number, durationMs: number, endMs: number, startNs?: bigint) {
  const spans = Array.from({ length: count }, (_, i) => {
    const endNs = BigInt(endMs - i) * 1_000_000n;
    return {
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: (0x1000 + i).toString(16).padStart(16, '0'),
      name: 'quote',
      kind: 2,
      startTimeUnixNano: String(startNs ?? endNs - BigInt(durationMs * 1_000_000)),
      endTimeUnixNano: String(endNs),
      attributes: [
        { key: 'headroom.budget.context', value: { stringValue: 'emergency' } },
        { key: 'headroom.operation', value: { stringValue: 'quote' } },
      ],
    };
  });
  const resource = {
    attributes: [
      { key: 'service.name', value: { stringValue: service } },
      { key: 'service.namespace', value: { stringValue: 'shop' } },
    ],
  };
  return JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ scope: { name: 'app' }, spans }] }] });
}

async function startCollector(clock: ManualClock, load: ScriptedLoad): Promise<Collector> {
  const yaml = [
    'receiver: { port: 0, grpc: { port: 0 } }',
    'api: { enabled: false }',
    'exporters: { prometheus: { port: 0 } }',
  ];
  return (await startTestCollector(yaml, { clock, loadSampler: load })).collector;
}

async function postTraces(body: string): Promise<[number, unknown]> {
  const response = await fetch(`${collector!.receiver.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return [response.status, await response.json()];
}

/** The series the tests judge: `pricing` in namespace `shop` (as `traceRequest` sends it). */
const quote = { namespace: 'shop', service: 'pricing', operation: 'quote', context: 'emergency', phase: '' };

describe('Collector mode timing', () => {
  it("should judge remote services against their own budgets, not scaled by the collector's load", async () => {
    const clock = new ManualClock(Date.now());
    const load = new ScriptedLoad();
    load.signals = OVERLOADED;
    collector = await startCollector(clock, load);
    clock.advance(10_000); // the collector's load sampler would have reached factor 2 by now
    expect(await postTraces(traceRequest('pricing', 30, 55, clock.now()))).toEqual([200, {}]);
    const ticks = [1, 2, 3].map(() => collector!.agent.tick());
    const verdict = {
      series: quote,
      status: 'violated',
      percentile: 'p95',
      observedMs: ticks[0]!.verdicts[0]!.observedMs,
      budgetMs: 50,
      baseBudgetMs: 50,
      ratio: ticks[0]!.verdicts[0]!.observedMs / 50,
      samples: 30,
      at: clock.now(),
    };
    expect(ticks.map((tick) => tick.verdicts)).toEqual([[verdict], [verdict], [verdict]]);
    expect(ticks[2]!.decisions).toEqual([
      {
        seq: 1,
        at: clock.now(),
        namespace: 'shop',
        service: 'pricing',
        from: 'NONE',
        to: 'MINIMAL',
        reason: 'escalation',
        message: ticks[2]!.decisions[0]!.message,
        evidence: {
          series: quote,
          percentile: 'p95',
          observedMs: verdict.observedMs,
          budgetMs: 50,
          ratio: verdict.ratio,
          samples: 30,
        },
        actions: { disabled: [], enabled: [] },
        disabledFeatures: [],
      },
    ]);
    expect(collector.agent.load.state()).toEqual({
      factor: 1,
      targetFactor: 1,
      level: 'normal',
      signals: undefined,
    });
  });

  it('should keep scaling budgets by the process load in embedded mode', () => {
    const { agent, clock, load } = testAgent();
    load.signals = OVERLOADED;
    agent.start();
    clock.advance(10_000);
    recordMany(agent, clock, quote, 55, 30);
    const { verdicts } = agent.tick();
    expect(verdicts).toEqual([
      {
        series: quote,
        status: 'ok',
        percentile: 'p95',
        observedMs: verdicts[0]!.observedMs,
        budgetMs: 100, // 50 ms x the maximum load factor 2
        baseBudgetMs: 50,
        ratio: verdicts[0]!.observedMs / 100,
        samples: 30,
        at: clock.now(),
      },
    ]);
    expect(verdicts[0]!.observedMs).toBeCloseTo(55, 0);
    agent.stop();
  });

  it('should judge spans of a lagging host by arrival and expose its skew and every refusal by reason', async () => {
    const clock = new ManualClock(Date.now());
    collector = await startCollector(clock, new ScriptedLoad());
    for (let i = 0; i < 3; i++) {
      expect(await postTraces(traceRequest('pricing', 10, 300, clock.now() - 120_000))).toEqual([200, {}]);
      clock.advance(1000);
    }
    expect(await postTraces(traceRequest('pricing', 2, 0, clock.now(), 1n))).toEqual([
      200,
      {
        partialSuccess: {
          rejectedSpans: '2',
          errorMessage: 'rejected 2 of 2 spans: 2 lasting longer than window.maxSpanDuration (60m)',
        },
      },
    ]);
    const [verdict] = collector.agent.tick().verdicts;
    expect(verdict).toMatchObject({ series: quote, status: 'violated', budgetMs: 50, samples: 30 });
    if (!collector.prometheus?.listening) throw new Error('metrics endpoint not listening');
    const text = await (await fetch(collector.prometheus.url)).text();
    expect(family(text, 'headroom_receiver_clock_skew_seconds').slice(3)).toEqual([
      'headroom_receiver_clock_skew_seconds{service="pricing",service_namespace="shop"} 120',
    ]);
    expect(family(text, 'headroom_receiver_spans_rejected_total').slice(2)).toEqual([
      'headroom_receiver_spans_rejected_total{reason="invalid_id"} 0',
      'headroom_receiver_spans_rejected_total{reason="missing_time"} 0',
      'headroom_receiver_spans_rejected_total{reason="end_before_start"} 0',
      'headroom_receiver_spans_rejected_total{reason="duration"} 2',
      'headroom_receiver_spans_rejected_total{reason="future"} 0',
      'headroom_receiver_spans_rejected_total{reason="service_limit"} 0',
    ]);
    expect(family(text, 'headroom_receiver_spans_retimed_total').slice(2)).toEqual([
      'headroom_receiver_spans_retimed_total 30',
    ]);
    expect(family(text, 'headroom_load_factor').slice(2)).toEqual(['headroom_load_factor 1']);
    expect(checkMetrics(text)).toEqual({ status: 0, output: '' });
  });
});
