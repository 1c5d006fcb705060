import { afterEach, describe, expect, it } from 'vitest';
import { LogChannel, routeAlerts, WebhookChannel } from '../../../exporters/alerts/index.ts';
import { alertMetrics, HeadroomMetricProducer } from '../../../exporters/metrics/index.ts';
import { exposition } from '../../../exporters/prometheus/index.ts';
import { testAgent } from '../../helpers/agent.ts';
import { firing, idle, recordingSleep, webhookConfig } from '../alerts/fixtures.ts';
import { Receiver } from '../alerts/receiver.ts';
import { family } from './families.ts';

let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.stop();
  receiver = undefined;
});

describe('alert notification metrics', () => {
  it('should expose deliveries, failed attempts, retries and drops by channel and reason', async () => {
    receiver = await Receiver.start();
    // First event: 503 then 200 (one retry, delivered); second: 400 (given up, non_retryable).
    receiver.script({ status: 503 }, { status: 200 }, { status: 400 });
    const webhook = new WebhookChannel(webhookConfig(receiver.url, { name: 'oncall' }), {
      sleep: recordingSleep(),
    });
    const lines: string[] = [];
    const log = new LogChannel({ name: 'log', type: 'log' }, { write: (line) => void lines.push(line) });
    const router = routeAlerts([log, webhook]);
    router(firing());
    await idle(webhook);
    router(firing({ fingerprint: 'other', channels: ['oncall', 'pager'] }));
    await idle(webhook);

    const { agent } = testAgent();
    const producer = new HeadroomMetricProducer({ agent, maxSeries: 100 });
    producer.addSource(
      alertMetrics(
        () => router.stats(),
        () => router.unrouted(),
      ),
    );
    const text = await exposition(producer);
    await router.shutdown(100);

    const reasons = ['queue_full', 'non_retryable', 'retries_exhausted', 'shutdown', 'invalid'];
    const failed = (channel: string, dropped: Record<string, number>) =>
      reasons.map(
        (reason) =>
          `headroom_alert_notifications_failed_total{channel="${channel}",reason="${reason}"} ${dropped[reason] ?? 0}`,
      );
    expect(family(text, 'headroom_alert_notifications_total').slice(2)).toEqual([
      'headroom_alert_notifications_total{channel="log"} 1',
      'headroom_alert_notifications_total{channel="oncall"} 1',
    ]);
    expect(family(text, 'headroom_alert_notifications_failed_total').slice(2)).toEqual([
      ...failed('log', {}),
      ...failed('oncall', { non_retryable: 1 }),
    ]);
    expect(family(text, 'headroom_alert_notification_requests_failed_total').slice(2)).toEqual([
      'headroom_alert_notification_requests_failed_total{channel="log"} 0',
      'headroom_alert_notification_requests_failed_total{channel="oncall"} 2',
    ]);
    expect(family(text, 'headroom_alert_notification_retries_total').slice(2)).toEqual([
      'headroom_alert_notification_retries_total{channel="log"} 0',
      'headroom_alert_notification_retries_total{channel="oncall"} 1',
    ]);
    expect(family(text, 'headroom_alert_notifications_queued')).toEqual([
      '# HELP headroom_alert_notifications_queued Alert notifications waiting or in flight, by channel.',
      '# TYPE headroom_alert_notifications_queued gauge',
      'headroom_alert_notifications_queued{channel="log"} 0',
      'headroom_alert_notifications_queued{channel="oncall"} 0',
    ]);
    expect(family(text, 'headroom_alert_notifications_unrouted_total').slice(2)).toEqual([
      'headroom_alert_notifications_unrouted_total 1',
    ]);
    expect(lines).toHaveLength(1);
  });
});
