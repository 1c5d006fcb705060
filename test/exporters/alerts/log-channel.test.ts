import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../agent/index.ts';
import { LogChannel } from '../../../exporters/alerts/index.ts';
import { firing, idle, resolved, STARTS_AT_MS } from './fixtures.ts';

const config = { name: 'log', type: 'log' } as const;

describe('LogChannel', () => {
  it('should write one JSON line per event, warn when firing and info when resolved', async () => {
    const lines: string[] = [];
    const clock = new ManualClock(STARTS_AT_MS + 2000);
    const channel = new LogChannel(config, { clock, write: (line) => lines.push(line) });
    channel.send(firing());
    clock.advance(60_000);
    channel.send(resolved(STARTS_AT_MS + 61_000));
    expect(lines).toEqual([]);
    await idle(channel);

    expect(lines).toEqual([
      '{"time":"2026-01-02T03:04:07.678Z","level":"warn","msg":"alert firing: checkout-p95 (warning)",' +
        '"alert":{"status":"firing","fingerprint":"checkout-p95{context=\\"emergency\\",service=\\"checkout\\"}",' +
        '"rule":"checkout-p95","kind":"percentile","severity":"warning","labels":{"alertname":"checkout-p95",' +
        '"severity":"warning","service":"checkout","context":"emergency"},"annotations":{"summary":"p95 of ' +
        'checkout/emergency is 72 ms, budget 50 ms"},"startsAt":"2026-01-02T03:04:05.678Z","value":1.44}}\n',
      '{"time":"2026-01-02T03:05:07.678Z","level":"info","msg":"alert resolved: checkout-p95 (warning)",' +
        '"alert":{"status":"resolved","fingerprint":"checkout-p95{context=\\"emergency\\",service=\\"checkout\\"}",' +
        '"rule":"checkout-p95","kind":"percentile","severity":"warning","labels":{"alertname":"checkout-p95",' +
        '"severity":"warning","service":"checkout","context":"emergency"},"annotations":{"summary":"p95 of ' +
        'checkout/emergency is 72 ms, budget 50 ms"},"startsAt":"2026-01-02T03:04:05.678Z",' +
        '"endsAt":"2026-01-02T03:05:06.678Z","value":0.8}}\n',
    ]);
    expect(channel.stats()).toMatchObject({ sent: 2, failed: 0, dropped: 0, queued: 0 });
  });

  it('should count a line whose write throws as dropped and keep writing', async () => {
    const lines: string[] = [];
    let calls = 0;
    const write = (line: string) => {
      if (calls++ === 0) throw new Error('EPIPE');
      lines.push(line);
    };
    const channel = new LogChannel(config, { write });
    channel.send(firing());
    channel.send(resolved(STARTS_AT_MS + 1));
    await idle(channel);
    expect(lines).toHaveLength(1);
    expect(channel.stats()).toMatchObject({
      sent: 1,
      failed: 1,
      dropped: 1,
      droppedBy: { non_retryable: 1 },
    });
  });

  it('should drop lines beyond queueCapacity when the writer lags', async () => {
    const lines: string[] = [];
    const channel = new LogChannel(config, { write: (line) => lines.push(line), queueCapacity: 2 });
    for (let value = 1; value <= 5; value++) channel.send(firing({ value }));
    await idle(channel);
    expect(lines.map((line) => JSON.parse(line).alert.value)).toEqual([4, 5]);
    expect(channel.stats()).toMatchObject({ sent: 2, dropped: 3, droppedBy: { queue_full: 3 } });
  });
});
