/**
 * A real Prometheus Alertmanager (Debian's prometheus-alertmanager) receives alerts from
 * AlertmanagerChannel: firing alerts show as active with our labels, a resolution takes them out
 * and Alertmanager notifies it, re-sending keeps an alert alive past its endsAt, and an agent that
 * stops sending sees its alerts expire. Alertmanager 0.25's GET /api/v2/alerts never lists an alert
 * whose endsAt has passed, whatever its state filters say, so "resolved" is asserted as absence
 * from that list plus the resolved notification Alertmanager sends its webhook receiver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../agent/alerting/types.ts';
import { AlertmanagerChannel, type AlertmanagerChannelConfig } from '../../exporters/alerts/index.ts';
import { firing } from '../exporters/alerts/fixtures.ts';
import { Receiver } from '../exporters/alerts/receiver.ts';
import {
  ALERTMANAGER_RECEIVER,
  type AlertmanagerServer,
  type GettableAlert,
  startAlertmanager,
  waitUntil,
} from './helpers/alertmanager.ts';

const GENERATOR_URL = 'http://127.0.0.1:9464/alerts';

/** A notification Alertmanager posted to its webhook receiver (version 4 payload). */
interface Notification {
  readonly status: 'firing' | 'resolved';
  readonly receiver: string;
  readonly alerts: { status: string; labels: Record<string, string>; startsAt: string; endsAt: string }[];
}

describe('Alertmanager receiving alerts from AlertmanagerChannel', () => {
  let alertmanager: AlertmanagerServer;
  let notifications: Receiver;
  const channels: AlertmanagerChannel[] = [];

  const channel = (resendIntervalMs: number) => {
    const config: AlertmanagerChannelConfig = {
      name: 'am',
      type: 'alertmanager',
      url: alertmanager.url,
      resendIntervalMs,
      timeoutMs: 5000,
    };
    const created = new AlertmanagerChannel(config, { generatorUrl: GENERATOR_URL });
    channels.push(created);
    return created;
  };
  const event = (alertname: string, overrides: Partial<AlertEvent> = {}) =>
    firing({
      fingerprint: alertname,
      rule: alertname,
      labels: { alertname, severity: 'warning', service: 'checkout', context: 'emergency' },
      startsAt: Date.now() - 2000,
      ...overrides,
    });
  const find = async (alertname: string): Promise<GettableAlert[]> =>
    (await alertmanager.alerts()).filter((alert) => alert.labels.alertname === alertname);
  const waitForAlert = async (alertname: string, done: (alerts: GettableAlert[]) => boolean) => {
    let last: GettableAlert[] = [];
    const poll = async () => {
      last = await find(alertname);
      return done(last);
    };
    await waitUntil(poll, 10_000, () => JSON.stringify(last));
    return last;
  };
  const waitForNotification = async (alertname: string, status: 'firing' | 'resolved') => {
    const match = (n: Notification) => n.status === status && n.alerts[0]?.labels.alertname === alertname;
    const received = () => (notifications.bodies() as Notification[]).find(match);
    await waitUntil(
      () => received() !== undefined,
      10_000,
      () => JSON.stringify(notifications.bodies()),
    );
    return received() as Notification;
  };

  beforeAll(async () => {
    notifications = await Receiver.start();
    alertmanager = await startAlertmanager({ webhookUrl: `${notifications.url}/notify` });
  });

  afterAll(async () => {
    await Promise.all(channels.map((c) => c.shutdown(1000)));
    await alertmanager?.stop();
    await notifications?.stop();
  });

  it('should list a firing alert as active with its labels, then drop it and notify its resolution', async () => {
    const am = channel(60_000);
    const fired = event('CheckoutP95');
    const sentAtMs = Date.now();
    am.send(fired);
    const [active] = await waitForAlert('CheckoutP95', (alerts) => alerts.length === 1);
    // Alertmanager (Go) prints times without trailing zeros (".76Z"): compare instants, not strings.
    expect(Date.parse(active?.startsAt ?? '')).toBe(fired.startsAt);
    expect(active).toMatchObject({
      labels: fired.labels,
      annotations: fired.annotations,
      generatorURL: GENERATOR_URL,
      receivers: [{ name: ALERTMANAGER_RECEIVER }],
      status: { state: 'active', silencedBy: [], inhibitedBy: [] },
    });
    const endsAtMs = Date.parse(active?.endsAt ?? '');
    expect(endsAtMs - sentAtMs).toBeGreaterThanOrEqual(4 * 60_000);
    expect(endsAtMs - sentAtMs).toBeLessThan(4 * 60_000 + 5000);
    expect((await waitForNotification('CheckoutP95', 'firing')).receiver).toBe(ALERTMANAGER_RECEIVER);

    const resolvedBefore = await alertmanager.metric(
      'alertmanager_alerts_received_total{status="resolved",version="v2"}',
    );
    const resolvedAtMs = Date.now();
    am.send({ ...fired, status: 'resolved', endsAt: resolvedAtMs });
    const notification = await waitForNotification('CheckoutP95', 'resolved');
    expect(
      notification.alerts.map((alert) => ({
        status: alert.status,
        labels: alert.labels,
        startsAt: Date.parse(alert.startsAt),
        endsAt: Date.parse(alert.endsAt),
      })),
    ).toEqual([{ status: 'resolved', labels: fired.labels, startsAt: fired.startsAt, endsAt: resolvedAtMs }]);
    expect(await find('CheckoutP95')).toEqual([]);
    expect(
      await alertmanager.metric('alertmanager_alerts_received_total{status="resolved",version="v2"}'),
    ).toBe((resolvedBefore ?? 0) + 1);
    expect(am.stats()).toMatchObject({ sent: 2, failed: 0, dropped: 0, queued: 0 });
  });

  it('should replace the warning with the critical alert when an alert escalates', async () => {
    const am = channel(60_000);
    const warning = event('ErrorRate');
    am.send(warning);
    await waitForAlert('ErrorRate', (alerts) => alerts.length === 1);
    am.send({ ...warning, severity: 'critical', labels: { ...warning.labels, severity: 'critical' } });
    const alerts = await waitForAlert(
      'ErrorRate',
      (found) => found.length === 1 && found[0]?.labels.severity === 'critical',
    );
    expect(alerts.map((alert) => [alert.labels.severity, alert.status.state])).toEqual([
      ['critical', 'active'],
    ]);
  });

  it('should keep an alert active past its endsAt by re-sending it, and let it expire once sending stops', async () => {
    const resendMs = 300;
    const am = channel(resendMs);
    am.send(event('QueueDepth'));
    const [first] = await waitForAlert('QueueDepth', (alerts) => alerts.length === 1);
    const firstEndsAtMs = Date.parse(first?.endsAt ?? '');
    expect(firstEndsAtMs - Date.now()).toBeLessThanOrEqual(4 * resendMs);

    await waitUntil(
      () => Date.now() > firstEndsAtMs + resendMs,
      5000,
      () => 'clock',
    );
    const [alive] = await find('QueueDepth');
    expect(alive?.status.state).toBe('active');
    expect(Date.parse(alive?.endsAt ?? '')).toBeGreaterThan(firstEndsAtMs);

    const resolvedBefore = await alertmanager.metric(
      'alertmanager_alerts_received_total{status="resolved",version="v2"}',
    );
    await am.shutdown(1000);
    await waitForAlert('QueueDepth', (alerts) => alerts.length === 0);
    expect((await waitForNotification('QueueDepth', 'resolved')).alerts[0]?.status).toBe('resolved');
    expect(
      await alertmanager.metric('alertmanager_alerts_received_total{status="resolved",version="v2"}'),
    ).toBe(resolvedBefore);
  });
});
