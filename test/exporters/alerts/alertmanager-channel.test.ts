import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../agent/index.ts';
import {
  type AlertmanagerAlert,
  AlertmanagerChannel,
  type AlertmanagerChannelConfig,
  type ChannelDeps,
} from '../../../exporters/alerts/index.ts';
import { firing, idle, recordingSleep, resolved, STARTS_AT_MS } from './fixtures.ts';
import { Receiver } from './receiver.ts';

const RESEND_MS = 60_000;
const GENERATOR_URL = 'http://headroom.example:9464/alerts';
const iso = (ms: number) => new Date(ms).toISOString();
const labels = { alertname: 'checkout-p95', severity: 'warning', service: 'checkout', context: 'emergency' };
const annotations = { summary: 'p95 of checkout/emergency is 72 ms, budget 50 ms' };

describe('AlertmanagerChannel', () => {
  let receiver: Receiver;
  let clock: ManualClock;
  let channel: AlertmanagerChannel | undefined;

  const start = (deps: ChannelDeps = {}, config: Partial<AlertmanagerChannelConfig> = {}) => {
    const url = receiver.url;
    const base = {
      name: 'am',
      type: 'alertmanager' as const,
      url,
      resendIntervalMs: RESEND_MS,
      timeoutMs: 5000,
    };
    channel = new AlertmanagerChannel(
      { ...base, ...config },
      { clock, generatorUrl: GENERATOR_URL, ...deps },
    );
    return channel;
  };
  /** The alerts of request `index`. */
  const posted = (index: number) => receiver.bodies()[index] as AlertmanagerAlert[];

  beforeEach(async () => {
    receiver = await Receiver.start();
    clock = new ManualClock(STARTS_AT_MS + 5000);
  });
  afterEach(async () => {
    const closing = channel?.shutdown(100);
    await clock.advanceAsync(100);
    await closing;
    await receiver.stop();
  });

  it('should post a firing alert to /api/v2/alerts with endsAt four resend intervals ahead', async () => {
    start().send(firing());
    const [request] = await receiver.waitFor(1);
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/api/v2/alerts');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(posted(0)).toEqual([
      {
        labels,
        annotations,
        startsAt: '2026-01-02T03:04:05.678Z',
        endsAt: iso(clock.now() + 4 * RESEND_MS),
        generatorURL: GENERATOR_URL,
      },
    ]);
  });

  it('should re-send firing alerts every resend interval, keeping startsAt', async () => {
    start().send(firing());
    await receiver.waitFor(1);
    clock.advance(RESEND_MS);
    await receiver.waitFor(2);
    clock.advance(RESEND_MS);
    await receiver.waitFor(3);
    expect(receiver.bodies()).toEqual(
      [0, 1, 2].map((n) => [
        {
          labels,
          annotations,
          startsAt: '2026-01-02T03:04:05.678Z',
          endsAt: iso(STARTS_AT_MS + 5000 + n * RESEND_MS + 4 * RESEND_MS),
          generatorURL: GENERATOR_URL,
        },
      ]),
    );
  });

  it('should send a resolution with endsAt no later than now and stop re-sending it', async () => {
    start().send(firing());
    await receiver.waitFor(1);
    clock.advance(30_000);
    channel?.send(resolved(STARTS_AT_MS + 30_000));
    channel?.send(resolved(clock.now() + 10_000, { fingerprint: 'other', labels: { alertname: 'other' } }));
    await receiver.waitFor(2);
    expect(posted(1)).toEqual([
      {
        labels,
        annotations,
        startsAt: iso(STARTS_AT_MS),
        endsAt: iso(STARTS_AT_MS + 30_000),
        generatorURL: GENERATOR_URL,
      },
      {
        labels: { alertname: 'other' },
        annotations,
        startsAt: iso(STARTS_AT_MS),
        endsAt: iso(clock.now()),
        generatorURL: GENERATOR_URL,
      },
    ]);

    channel?.send(firing({ fingerprint: 'b', labels: { alertname: 'b' } }));
    await receiver.waitFor(3);
    clock.advance(RESEND_MS);
    await receiver.waitFor(4);
    expect(posted(3).map((alert) => alert.labels)).toEqual([{ alertname: 'b' }]);
    expect(channel?.firing).toBe(1);
  });

  it('should batch alerts of one tick, up to 64 per request', async () => {
    start();
    for (let i = 0; i < 70; i++)
      channel?.send(firing({ fingerprint: `f${i}`, labels: { alertname: 'a', n: `${i}` } }));
    await receiver.waitFor(2);
    await idle(channel as AlertmanagerChannel);
    expect([posted(0).length, posted(1).length]).toEqual([64, 6]);
    expect(channel?.stats()).toMatchObject({ sent: 70, queued: 0, dropped: 0 });
  });

  it('should resolve the old label set when an alert escalates to another severity', async () => {
    start().send(firing());
    await receiver.waitFor(1);
    clock.advance(1000);
    channel?.send(firing({ severity: 'critical', labels: { ...labels, severity: 'critical' } }));
    await receiver.waitFor(2);
    expect(posted(1).map((a) => [a.labels.severity, a.endsAt])).toEqual([
      ['warning', iso(clock.now())],
      ['critical', iso(clock.now() + 4 * RESEND_MS)],
    ]);
    expect(channel?.firing).toBe(1);
  });

  it('should always set alertname and make label names valid for Alertmanager', async () => {
    start().send(firing({ labels: { severity: 'page', 'service.name': 'checkout', '9lives': 'x' } }));
    await receiver.waitFor(1);
    expect(posted(0)[0]?.labels).toEqual({
      severity: 'page',
      service_name: 'checkout',
      _9lives: 'x',
      alertname: 'checkout-p95',
    });
  });

  it('should post under the path prefix of its url', async () => {
    start({}, { url: `${receiver.url}/alertmanager` }).send(firing());
    const [request] = await receiver.waitFor(1);
    expect(request?.path).toBe('/alertmanager/api/v2/alerts');
  });

  it('should retry a failed batch with backoff, then drop it once retries run out', async () => {
    const sleep = recordingSleep();
    start({ sleep, random: () => 1, maxRetries: 1 });
    receiver.script({ status: 503 }, { status: 503 });
    channel?.send(firing());
    await receiver.waitFor(2);
    await idle(channel as AlertmanagerChannel);
    expect(sleep.delaysMs).toEqual([750]); // the one backoff: 500 ms +50 % at random 1
    expect(channel?.stats()).toMatchObject({
      sent: 0,
      failed: 2,
      retries: 1,
      droppedBy: { retries_exhausted: 1 },
    });

    clock.advance(RESEND_MS);
    await receiver.waitFor(3);
    await idle(channel as AlertmanagerChannel);
    expect(channel?.stats()).toMatchObject({ sent: 1, failed: 2, retries: 1, dropped: 1 });
  });

  it('should stop re-sending after shutdown and leave firing alerts to expire', async () => {
    start().send(firing());
    await channel?.shutdown(1000);
    clock.advance(5 * RESEND_MS);
    channel?.send(resolved(clock.now()));
    expect(receiver.requests).toHaveLength(1);
    expect(channel?.stats()).toMatchObject({ sent: 1, queued: 0, droppedBy: { shutdown: 1 } });
  });

  it('should re-send a firing alert resumed after a restart with its startsAt, and ignore a resolved one', async () => {
    const am = start();
    am.resume(resolved(clock.now()));
    am.resume(firing());
    await receiver.waitFor(1);
    clock.advance(RESEND_MS);
    await receiver.waitFor(2);
    expect(receiver.bodies()).toEqual(
      [0, 1].map((n) => [
        {
          labels,
          annotations,
          startsAt: '2026-01-02T03:04:05.678Z',
          endsAt: iso(STARTS_AT_MS + 5000 + n * RESEND_MS + 4 * RESEND_MS),
          generatorURL: GENERATOR_URL,
        },
      ]),
    );
  });

  it('should drop an event with an invalid time instead of throwing', () => {
    start();
    expect(() => channel?.send(resolved(STARTS_AT_MS, { startsAt: Number.POSITIVE_INFINITY }))).not.toThrow();
    expect(channel?.stats()).toMatchObject({ dropped: 1, droppedBy: { invalid: 1 } });
  });
});
