import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AlertEvent } from '../../../agent/alerting/index.ts';
import { ALERT_EVENT_CHANNEL } from '../../../agent/semconv.ts';
import { levels, MINUTE_MS, setup, snapshotOf, stubSeries } from './setup.ts';

const DEGRADED = { name: 'degraded', kind: 'degradation' as const, level: 'MINIMAL' as const };
const SLOW = { name: 'slow', kind: 'percentile' as const, context: 'routine', warning: '150ms' };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('alert listeners', () => {
  it('should deliver to every listener even when one throws, and log the throw', () => {
    const error = vi.spyOn(diag, 'error').mockImplementation(() => {});
    const { alerts, evaluate, events } = setup([DEGRADED]);
    const boom = new Error('listener failed');
    alerts.onAlert(() => {
      throw boom;
    });
    const after: AlertEvent[] = [];
    alerts.onAlert((event) => after.push(event));
    const published = evaluate({ levels: levels({ checkout: 'MINIMAL' }) });
    expect(published).toHaveLength(1);
    expect(events).toEqual(published);
    expect(after).toEqual(published);
    expect(error).toHaveBeenCalledWith('headroom: an alert listener threw', boom);
  });

  it('should stop delivering to a listener once unsubscribed', () => {
    const { alerts, evaluate } = setup([DEGRADED]);
    const received: AlertEvent[] = [];
    const stop = alerts.onAlert((event) => received.push(event));
    stop();
    evaluate({ levels: levels({ checkout: 'MINIMAL' }) });
    expect(received).toEqual([]);
  });

  it('should publish every event on the headroom:alert:event diagnostics channel', () => {
    const { evaluate } = setup([DEGRADED]);
    const received: unknown[] = [];
    const onMessage = (message: unknown) => received.push(message);
    subscribe(ALERT_EVENT_CHANNEL, onMessage);
    try {
      const published = evaluate({ levels: levels({ checkout: 'MINIMAL' }) });
      expect(received).toEqual(published);
    } finally {
      unsubscribe(ALERT_EVENT_CHANNEL, onMessage);
    }
  });

  it('should hold the alerts of a rule that fails (neither resolve nor throw) and keep evaluating the others', () => {
    const error = vi.spyOn(diag, 'error').mockImplementation(() => {});
    const { alerts, clock, evaluate } = setup([SLOW, DEGRADED]);
    evaluate({ series: [stubSeries({}, snapshotOf(100, 0, 200))] });
    const broken = {
      ...stubSeries({}, snapshotOf(100)),
      window: {
        snapshot: (): never => {
          throw new Error('window failed');
        },
      },
    };
    clock.advance(MINUTE_MS);
    const published = evaluate({ series: [broken], levels: levels({ checkout: 'MINIMAL' }) });
    expect(published.map((event) => [event.rule, event.status])).toEqual([['degraded', 'firing']]);
    expect(alerts.firing().map((event) => event.rule)).toEqual(['slow', 'degraded']);
    expect(error).toHaveBeenCalledWith(
      'headroom: alert rule "slow" failed; its alerts are held',
      new Error('window failed'),
    );
  });
});
