import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../../agent/alerting/index.ts';
import { DEGRADED_RULE, levels, MINUTE_MS, setup } from './setup.ts';

const DEGRADED = {
  ...DEGRADED_RULE,
  // `alertname` and `severity` belong to the evaluator: a rule cannot override them.
  labels: { team: 'payments', severity: 'low', alertname: 'other' },
};

const SEVERE = levels({ checkout: 'SEVERE' });
const NONE = levels({ checkout: 'NONE' });

/** The warning the rule above fires for checkout at SEVERE. */
function warningAt(startsAt: number): AlertEvent {
  return {
    status: 'firing',
    fingerprint: '{alertname="degraded",service="checkout",severity="warning",team="payments"}',
    instance: '{alertname="degraded",service="checkout",team="payments"}',
    rule: 'degraded',
    kind: 'degradation',
    severity: 'warning',
    labels: { alertname: 'degraded', service: 'checkout', severity: 'warning', team: 'payments' },
    annotations: {
      summary: 'checkout is at degradation level SEVERE',
      description: 'checkout runs at degradation level SEVERE (3 of 4); the rule fires at MODERATE or above.',
    },
    startsAt,
    value: 3,
    channels: ['log'],
  };
}

const RECOVERED = {
  summary: 'checkout is at degradation level NONE',
  description: 'checkout runs at degradation level NONE (0 of 4); the rule fires at MODERATE or above.',
};

describe('alert lifecycle', () => {
  it('should fire once while the condition holds and resolve with endsAt when it clears', () => {
    const { clock, evaluate, events } = setup([DEGRADED]);
    const startMs = clock.now();
    expect(evaluate({ levels: SEVERE })).toEqual([warningAt(startMs)]);
    for (let i = 0; i < 3; i++) {
      clock.advance(MINUTE_MS);
      expect(evaluate({ levels: SEVERE })).toEqual([]);
    }
    clock.advance(MINUTE_MS);
    const resolved = {
      ...warningAt(startMs),
      status: 'resolved',
      annotations: RECOVERED,
      endsAt: clock.now(),
      value: 0,
    };
    expect(evaluate({ levels: NONE })).toEqual([resolved]);
    expect(events).toEqual([warningAt(startMs), resolved]);
  });

  it('should suppress a re-fire during the cooldown and fire once it has passed if the condition holds', () => {
    const { clock, evaluate } = setup([DEGRADED]);
    evaluate({ levels: SEVERE });
    clock.advance(MINUTE_MS);
    evaluate({ levels: NONE });
    const resolvedMs = clock.now();
    const seen: AlertEvent[][] = [];
    for (let minute = 1; minute <= 5; minute++) {
      clock.advance(MINUTE_MS);
      seen.push(evaluate({ levels: SEVERE }));
    }
    expect(clock.now()).toBe(resolvedMs + 5 * MINUTE_MS);
    expect(seen).toEqual([[], [], [], [], [warningAt(resolvedMs + 5 * MINUTE_MS)]]);
  });

  it('should stay quiet when the condition comes and goes within the cooldown', () => {
    const { clock, evaluate } = setup([DEGRADED]);
    evaluate({ levels: SEVERE });
    clock.advance(MINUTE_MS);
    evaluate({ levels: NONE });
    const seen: AlertEvent[] = [];
    for (const level of [SEVERE, NONE, NONE, NONE, NONE, NONE, NONE]) {
      clock.advance(MINUTE_MS);
      seen.push(...evaluate({ levels: level }));
    }
    expect(seen).toEqual([]);
  });

  it('should escalate a lasting warning to critical: the warning resolves, a critical alert fires', () => {
    const { clock, evaluate } = setup([{ ...DEGRADED, escalateAfter: '10m' }]);
    const startMs = clock.now();
    evaluate({ levels: SEVERE });
    clock.advance(10 * MINUTE_MS - 1);
    expect(evaluate({ levels: SEVERE })).toEqual([]);
    clock.advance(1);
    const atMs = clock.now();
    const critical: AlertEvent = {
      ...warningAt(atMs),
      fingerprint: '{alertname="degraded",service="checkout",severity="critical",team="payments"}',
      severity: 'critical',
      labels: { alertname: 'degraded', service: 'checkout', severity: 'critical', team: 'payments' },
      annotations: {
        summary: 'checkout is at degradation level SEVERE',
        description:
          'checkout runs at degradation level SEVERE (3 of 4); the rule fires at MODERATE or above. Escalated from warning to critical: firing for 10m (escalateAfter 10m).',
      },
    };
    expect(evaluate({ levels: SEVERE })).toEqual([
      {
        ...warningAt(startMs),
        status: 'resolved',
        annotations: {
          summary: 'checkout is at degradation level SEVERE',
          description:
            'checkout runs at degradation level SEVERE (3 of 4); the rule fires at MODERATE or above. Replaced by the critical alert.',
        },
        endsAt: atMs,
      },
      critical,
    ]);
    clock.advance(MINUTE_MS);
    expect(evaluate({ levels: SEVERE })).toEqual([]);
    clock.advance(MINUTE_MS);
    expect(evaluate({ levels: NONE })).toEqual([
      { ...critical, status: 'resolved', annotations: RECOVERED, endsAt: clock.now(), value: 0 },
    ]);
  });

  it('should resolve with the last numbers an instance that is no longer seen (no data)', () => {
    const { clock, evaluate } = setup([DEGRADED]);
    const startMs = clock.now();
    evaluate({ levels: SEVERE });
    clock.advance(MINUTE_MS);
    expect(evaluate({ levels: levels({}) })).toEqual([
      { ...warningAt(startMs), status: 'resolved', endsAt: clock.now() },
    ]);
  });

  it('should resolve the alerts of a rule removed by a reload', () => {
    const { alerts, clock, config, evaluate } = setup([DEGRADED]);
    const startMs = clock.now();
    evaluate({ levels: SEVERE });
    alerts.reconfigure({ ...config, alerting: { ...config.alerting, rules: [] } });
    clock.advance(MINUTE_MS);
    expect(evaluate({ levels: SEVERE })).toEqual([
      { ...warningAt(startMs), status: 'resolved', endsAt: clock.now() },
    ]);
    expect(alerts.firing()).toEqual([]);
  });

  it('should list the alerts firing now with their latest numbers, for re-sending', () => {
    const { alerts, clock, evaluate } = setup([DEGRADED]);
    const startMs = clock.now();
    evaluate({ levels: levels({ checkout: 'MODERATE', search: 'NONE' }) });
    clock.advance(MINUTE_MS);
    evaluate({ levels: SEVERE });
    expect(alerts.firing()).toEqual([warningAt(startMs)]);
  });
});
