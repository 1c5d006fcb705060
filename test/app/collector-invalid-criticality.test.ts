/**
 * Collector mode counts the spans it received whose `headroom.criticality` was no class (they
 * counted in their series' class) on its Prometheus endpoint, without service labels and without
 * a baggage source (a collector reads no baggage).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '../../app/collector.ts';
import { family } from '../exporters/metrics/families.ts';
import { startTestCollector } from '../helpers/collector.ts';

let collector: Collector | undefined;
afterEach(async () => {
  await collector?.shutdown(2000);
  collector = undefined;
});

/** One OTLP/JSON request of `quote` spans (context web) from `checkout`, one per `criticality`. */
function traces(criticalities: readonly unknown[]): string {
  const endNs = BigInt(Date.now()) * 1_000_000n;
  const spans = criticalities.map((criticality, i) => ({
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: (0x2000 + i).toString(16).padStart(16, '0'),
    name: 'quote',
    kind: 2,
    startTimeUnixNano: String(endNs - 20_000_000n),
    endTimeUnixNano: String(endNs),
    attributes: [
      { key: 'headroom.budget.context', value: { stringValue: 'web' } },
      ...(criticality === undefined
        ? []
        : [
            {
              key: 'headroom.criticality',
              value:
                typeof criticality === 'number' ? { intValue: criticality } : { stringValue: criticality },
            },
          ]),
    ],
  }));
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
        scopeSpans: [{ scope: { name: 'test' }, spans }],
      },
    ],
  });
}

describe('Collector: invalid criticality on received spans', () => {
  it('should count each span whose headroom.criticality is no class, and nothing else', async () => {
    const started = await startTestCollector([
      'receiver: { port: 0, grpc: { enabled: false } }',
      'exporters: { prometheus: { port: 0 } }',
      'contexts: { web: { budget: 100ms } }',
    ]);
    collector = started.collector;
    const body = traces(['SHEDDABLE', 'sheddable', 'BOGUS', '', 3, undefined, 'CRITICAL_PLUS']);
    const response = await fetch(`${collector.receiver.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(200);
    if (!collector.prometheus?.listening) throw new Error('metrics endpoint not listening');
    const text = await (await fetch(collector.prometheus.url)).text();
    expect(family(text, 'headroom_criticality_invalid_total')).toEqual([
      "# HELP headroom_criticality_invalid_total headroom.criticality values that were no class (exact spelling: CRITICAL_PLUS, CRITICAL, SHEDDABLE_PLUS, SHEDDABLE) and were ignored, by source (baggage: the W3C baggage entry, each time it was read; span: the attribute of a judged span, which then counts in its series' class).",
      '# TYPE headroom_criticality_invalid_total counter',
      'headroom_criticality_invalid_total{source="span"} 4',
    ]);
  });
});
