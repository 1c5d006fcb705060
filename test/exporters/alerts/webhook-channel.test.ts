import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../agent/index.ts';
import { type ChannelStats, WebhookChannel, webhookEventId } from '../../../exporters/alerts/index.ts';
import { firing, idle, recordingSleep, resolved, STARTS_AT_MS, webhookConfig } from './fixtures.ts';
import { Receiver } from './receiver.ts';

const SECRET = 'whsec_test';
const none = { queue_full: 0, non_retryable: 0, retries_exhausted: 0, shutdown: 0, invalid: 0 };
const stats = (counts: Partial<ChannelStats>, droppedBy: Partial<ChannelStats['droppedBy']> = {}) => {
  const by = { ...none, ...droppedBy };
  const dropped = Object.values(by).reduce((sum, n) => sum + n, 0);
  return { sent: 0, failed: 0, retries: 0, queued: 0, ...counts, dropped, droppedBy: by };
};

/** Verifies a signature header as a receiver would, independently of the channel's code. */
function verify(header: string, body: string, secret: string): { ok: boolean; timestampSeconds: number } {
  const fields = Object.fromEntries(header.split(',').map((part) => part.split('=') as [string, string]));
  const expected = createHmac('sha256', secret).update(`${fields.t}.${body}`).digest('hex');
  const v1 = Buffer.from(fields.v1 ?? '');
  const ok = v1.length === expected.length && timingSafeEqual(v1, Buffer.from(expected));
  return { ok, timestampSeconds: Number(fields.t) };
}

describe('WebhookChannel', () => {
  let receiver: Receiver;
  let channel: WebhookChannel | undefined;

  beforeEach(async () => {
    receiver = await Receiver.start();
  });
  afterEach(async () => {
    await channel?.shutdown(100);
    await receiver.stop();
  });

  it('should post the event as versioned JSON with the configured headers, an event id and a signature', async () => {
    const headers = { Authorization: 'Bearer t0ken', 'Content-Type': 'text/plain' };
    channel = new WebhookChannel(webhookConfig(`${receiver.url}/hooks/alerts`, { secret: SECRET, headers }));
    channel.send(firing());
    const [request] = await receiver.waitFor(1);

    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/hooks/alerts');
    expect(request?.body).toBe(
      '{"version":"1","status":"firing","alert":{"status":"firing",' +
        '"fingerprint":"checkout-p95{context=\\"emergency\\",service=\\"checkout\\"}","rule":"checkout-p95",' +
        '"kind":"percentile","severity":"warning","labels":{"alertname":"checkout-p95","severity":"warning",' +
        '"service":"checkout","context":"emergency"},"annotations":{"summary":"p95 of checkout/emergency ' +
        'is 72 ms, budget 50 ms"},"startsAt":"2026-01-02T03:04:05.678Z","value":1.44}}',
    );
    expect(request?.headers.authorization).toBe('Bearer t0ken');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['x-headroom-event-id']).toMatch(/^[0-9a-f]{32}$/);
    const signature = verify(String(request?.headers['x-headroom-signature']), request?.body ?? '', SECRET);
    expect(signature.ok).toBe(true);
    expect(Math.abs(signature.timestampSeconds - Date.now() / 1000)).toBeLessThan(5);
    expect(verify(String(request?.headers['x-headroom-signature']), request?.body ?? '', 'wrong').ok).toBe(
      false,
    );
  });

  it('should send the resolution with its end time and no signature when no secret is set', async () => {
    channel = new WebhookChannel(webhookConfig(receiver.url));
    channel.send(resolved(STARTS_AT_MS + 90_000));
    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request?.body ?? '')).toMatchObject({
      version: '1',
      status: 'resolved',
      alert: { status: 'resolved', startsAt: '2026-01-02T03:04:05.678Z', endsAt: '2026-01-02T03:05:35.678Z' },
    });
    expect(request?.headers['x-headroom-signature']).toBeUndefined();
  });

  it('should give each event its own id and every attempt of one event the same id', () => {
    const ids = [firing(), firing({ severity: 'critical' }), resolved(STARTS_AT_MS + 1)].map(webhookEventId);
    expect(new Set(ids).size).toBe(3);
    expect(webhookEventId(firing())).toBe(ids[0]);
  });

  it('should retry a 503 with backoff, re-signing each attempt, until it succeeds', async () => {
    const sleep = recordingSleep();
    channel = new WebhookChannel(webhookConfig(receiver.url, { secret: SECRET }), {
      sleep,
      random: () => 0.5,
    });
    receiver.script({ status: 503 }, { status: 503 });
    channel.send(firing());
    const requests = await receiver.waitFor(3);
    await idle(channel);

    // The one backoff (Collector-style, +/-50 % around 500 ms, doubling): midpoints at random 0.5.
    expect(sleep.delaysMs).toEqual([500, 1000]);
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    expect(new Set(requests.map((r) => r.headers['x-headroom-event-id'])).size).toBe(1);
    for (const r of requests)
      expect(verify(String(r.headers['x-headroom-signature']), r.body, SECRET).ok).toBe(true);
    expect(channel.stats()).toEqual(stats({ sent: 1, failed: 2, retries: 2 }));
  });

  it('should wait as long as Retry-After asks before retrying a 429', async () => {
    const sleep = recordingSleep();
    channel = new WebhookChannel(webhookConfig(receiver.url), { sleep });
    receiver.script({ status: 429, retryAfter: '7' }, { status: 408 });
    channel.send(firing());
    await receiver.waitFor(3);
    await idle(channel);
    expect(sleep.delaysMs[0]).toBe(7000);
    expect(channel.stats()).toEqual(stats({ sent: 1, failed: 2, retries: 2 }));
  });

  it('should honour Retry-After on its clock', async () => {
    const clock = new ManualClock();
    channel = new WebhookChannel(webhookConfig(receiver.url), { clock, random: () => 0 });
    receiver.script({ status: 503, retryAfter: '1' });
    channel.send(firing());
    await receiver.waitFor(1);
    // The reply arrives over a real socket: a bounded real-time poll until the retry is scheduled.
    await vi.waitFor(() => expect(channel?.stats().failed).toBe(1), { timeout: 5000, interval: 2 });
    await clock.advanceAsync(999);
    expect(receiver.requests).toHaveLength(1);
    await clock.advanceAsync(1);
    await receiver.waitFor(2);
    await idle(channel);
    expect(channel.stats()).toEqual(stats({ sent: 1, failed: 1, retries: 1 }));
  });

  it('should drop an event the receiver refuses with 400, without retrying, and go on', async () => {
    const sleep = recordingSleep();
    channel = new WebhookChannel(webhookConfig(receiver.url), { sleep });
    receiver.script({ status: 400, body: 'bad alert' });
    channel.send(firing());
    channel.send(resolved(STARTS_AT_MS + 1000));
    await receiver.waitFor(2);
    await idle(channel);
    expect(sleep.delaysMs).toEqual([]);
    expect(channel.stats()).toEqual(stats({ sent: 1, failed: 1 }, { non_retryable: 1 }));
  });

  it('should drop an event once maxRetries retries have failed', async () => {
    const sleep = recordingSleep();
    channel = new WebhookChannel(webhookConfig(receiver.url, { maxRetries: 2 }), { sleep, random: () => 1 });
    receiver.script({ status: 500 }, { status: 502 }, { status: 504 });
    channel.send(firing());
    await receiver.waitFor(3);
    await idle(channel);
    expect(sleep.delaysMs).toEqual([750, 1500]); // +50 % of 500 and 1000 ms at random 1
    expect(channel.stats()).toEqual(stats({ failed: 3, retries: 2 }, { retries_exhausted: 1 }));
  });

  it('should retry when the receiver is unreachable or too slow', async () => {
    const sleep = recordingSleep();
    const closed = await Receiver.start();
    const url = closed.url;
    await closed.stop();
    const unreachable = new WebhookChannel(webhookConfig(url, { maxRetries: 1 }), { sleep });
    channel = new WebhookChannel(webhookConfig(receiver.url, { timeoutMs: 100, maxRetries: 0 }), { sleep });
    receiver.script('hold');
    unreachable.send(firing());
    channel.send(firing());
    await Promise.all([idle(unreachable), idle(channel)]);
    expect(unreachable.stats()).toEqual(stats({ failed: 2, retries: 1 }, { retries_exhausted: 1 }));
    expect(channel.stats()).toEqual(stats({ failed: 1 }, { retries_exhausted: 1 }));
  });

  it('should keep at most queueCapacity events, dropping the oldest', async () => {
    channel = new WebhookChannel(webhookConfig(receiver.url), { queueCapacity: 3 });
    receiver.script('hold');
    channel.send(firing({ value: 1 }));
    await receiver.waitFor(1);
    for (let value = 2; value <= 6; value++) channel.send(firing({ value }));
    expect(channel.stats()).toEqual(stats({ queued: 4 }, { queue_full: 2 }));

    receiver.release();
    await receiver.waitFor(4);
    await idle(channel);
    expect(receiver.bodies().map((body) => (body as { alert: { value: number } }).alert.value)).toEqual([
      1, 4, 5, 6,
    ]);
    expect(channel.stats()).toEqual(stats({ sent: 4 }, { queue_full: 2 }));
  });

  it('should deliver what is queued before shutdown resolves, then drop what comes after', async () => {
    channel = new WebhookChannel(webhookConfig(receiver.url));
    for (let value = 1; value <= 3; value++) channel.send(firing({ value }));
    await channel.shutdown(2000);
    expect(receiver.requests).toHaveLength(3);
    channel.send(firing());
    expect(channel.stats()).toEqual(stats({ sent: 3 }, { shutdown: 1 }));
  });

  it('should give up at the shutdown deadline and count what it abandoned', async () => {
    channel = new WebhookChannel(webhookConfig(receiver.url));
    receiver.script('hold');
    channel.send(firing({ value: 1 }));
    channel.send(firing({ value: 2 }));
    await receiver.waitFor(1);
    const startedMs = Date.now();
    await channel.shutdown(100);
    expect(Date.now() - startedMs).toBeLessThan(1000);
    expect(channel.stats()).toEqual(stats({}, { shutdown: 2 }));
  });

  it('should drop an event with an invalid time instead of throwing', () => {
    channel = new WebhookChannel(webhookConfig(receiver.url));
    expect(() => channel?.send(firing({ startsAt: Number.NaN }))).not.toThrow();
    expect(channel.stats()).toEqual(stats({}, { invalid: 1 }));
  });
});
