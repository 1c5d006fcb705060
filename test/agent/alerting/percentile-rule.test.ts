import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../../agent/alerting/index.ts';
import { verdictOf } from '../../helpers/verdicts.ts';
import { MINUTE_MS, setup, snapshotOf, stubSeries } from './setup.ts';

const PAY = { namespace: '', service: 'checkout', operation: 'pay', context: 'routine', phase: '' };
const RULE = {
  name: 'slow-routine',
  kind: 'percentile' as const,
  context: 'routine',
  warning: '150ms',
  critical: '250ms',
  cooldown: '0s',
};

/** A p95 verdict for checkout's `pay` against its 200 ms routine budget. */
const verdict = (observedMs: number) => verdictOf(observedMs, { series: PAY, budgetMs: 200 });

function firing(severity: 'warning' | 'critical', valueMs: number, startsAt: number): AlertEvent {
  const labels = { alertname: 'slow-routine', context: 'routine', operation: 'pay', service: 'checkout' };
  return {
    status: 'firing',
    fingerprint: `{alertname="slow-routine",context="routine",operation="pay",service="checkout",severity="${severity}"}`,
    instance: '{alertname="slow-routine",context="routine",operation="pay",service="checkout"}',
    rule: 'slow-routine',
    kind: 'percentile',
    severity,
    labels: { ...labels, severity },
    annotations: {
      summary: `p95 latency of checkout pay (routine) is ${valueMs} ms`,
      description: `p95 of pay in checkout, context routine, is ${valueMs} ms over the window; warning at 150 ms, critical at 250 ms.`,
    },
    startsAt,
    value: valueMs,
  };
}

describe('percentile rule', () => {
  it("should link its firing and resolved alerts to the service's live view page when ui.externalUrl is set", () => {
    const { clock, evaluate } = setup([RULE], { ui: { externalUrl: 'https://headroom.example.com' } });
    const series = stubSeries(PAY, snapshotOf(100));
    const startMs = clock.now();
    const link = { headroom_url: 'https://headroom.example.com/ui/services/_/checkout' };
    const fired = firing('warning', 160, startMs);
    expect(evaluate({ verdicts: [verdict(160)], series: [series] })).toEqual([
      { ...fired, annotations: { ...fired.annotations, ...link } },
    ]);
    clock.advance(MINUTE_MS);
    const resolved = firing('warning', 100, startMs);
    expect(evaluate({ verdicts: [verdict(100)], series: [series] })).toEqual([
      {
        ...resolved,
        status: 'resolved',
        endsAt: clock.now(),
        annotations: { ...resolved.annotations, ...link },
      },
    ]);
  });

  it("should read the tick's verdict and fire a warning from the warning threshold", () => {
    const { clock, evaluate } = setup([RULE]);
    const series = stubSeries(PAY, snapshotOf(100, 0, 999));
    expect(evaluate({ verdicts: [verdict(149.9)], series: [series] })).toEqual([]);
    expect(evaluate({ verdicts: [verdict(150)], series: [series] })).toEqual([
      firing('warning', 150, clock.now()),
    ]);
    expect(series.queries).toBe(0);
  });

  it('should turn a warning into a critical alert from the critical threshold, and back', () => {
    const { clock, evaluate } = setup([RULE]);
    const series = stubSeries(PAY, snapshotOf(100));
    const startMs = clock.now();
    evaluate({ verdicts: [verdict(200)], series: [series] });
    clock.advance(MINUTE_MS);
    const criticalMs = clock.now();
    expect(evaluate({ verdicts: [verdict(260)], series: [series] })).toEqual([
      {
        ...firing('warning', 260, startMs),
        status: 'resolved',
        endsAt: criticalMs,
        ...replaced(260, 'critical'),
      },
      firing('critical', 260, criticalMs),
    ]);
    clock.advance(MINUTE_MS);
    expect(evaluate({ verdicts: [verdict(180)], series: [series] })).toEqual([
      {
        ...firing('critical', 180, criticalMs),
        status: 'resolved',
        endsAt: clock.now(),
        ...replaced(180, 'warning'),
      },
      firing('warning', 180, clock.now()),
    ]);
  });

  it("should query the window at the rule's own percentile when the verdicts judge another", () => {
    const { clock, evaluate } = setup([{ ...RULE, percentile: 'p99' }]);
    const series = stubSeries(PAY, snapshotOf(100, 0, 100));
    const [event] = evaluate({ verdicts: [verdict(100)], series: [series] });
    expect(series.queries).toBe(1);
    expect(event).toMatchObject({ severity: 'warning', value: 200, startsAt: clock.now() });
    expect(event?.annotations.summary).toBe('p99 latency of checkout pay (routine) is 200 ms');
  });

  it('should resolve when the window holds fewer samples than the context needs (no data)', () => {
    const { clock, evaluate } = setup([RULE]);
    const startMs = clock.now();
    evaluate({ verdicts: [verdict(200)], series: [stubSeries(PAY, snapshotOf(100))] });
    clock.advance(MINUTE_MS);
    expect(evaluate({ verdicts: [], series: [stubSeries(PAY, snapshotOf(19, 0, 500))] })).toEqual([
      { ...firing('warning', 200, startMs), status: 'resolved', endsAt: clock.now() },
    ]);
  });

  it('should leave out phases, other contexts and verdicts without a series', () => {
    const { evaluate } = setup([RULE]);
    const slow = snapshotOf(100, 0, 500);
    const others = [
      stubSeries({ ...PAY, phase: 'execution' }, slow),
      stubSeries({ ...PAY, context: 'emergency' }, slow),
    ];
    expect(evaluate({ verdicts: [verdict(500)], series: others })).toEqual([]);
  });
});

/** Annotations of a resolution by a severity change, at `valueMs`. */
function replaced(valueMs: number, to: string) {
  return {
    annotations: {
      summary: `p95 latency of checkout pay (routine) is ${valueMs} ms`,
      description: `p95 of pay in checkout, context routine, is ${valueMs} ms over the window; warning at 150 ms, critical at 250 ms. Replaced by the ${to} alert.`,
    },
    value: valueMs,
  };
}
