import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../../agent/alerting/types.ts';
import { ManualClock } from '../../../agent/index.ts';
import { alertingSchema } from '../../../config/schema/alerting.ts';
import {
  type AlertChannel,
  AlertmanagerChannel,
  type ChannelStats,
  createChannels,
  LogChannel,
  routeAlerts,
  WebhookChannel,
} from '../../../exporters/alerts/index.ts';
import { firing } from './fixtures.ts';

const emptyStats: ChannelStats = {
  sent: 0,
  failed: 0,
  retries: 0,
  dropped: 0,
  droppedBy: { queue_full: 0, non_retryable: 0, retries_exhausted: 0, shutdown: 0, invalid: 0 },
  queued: 0,
};

/** A channel that records what it is given. */
class RecordingChannel implements AlertChannel {
  readonly events: AlertEvent[] = [];
  readonly resumed: AlertEvent[] = [];
  readonly shutdowns: (number | undefined)[] = [];
  readonly name: string;
  readonly #fail: boolean;
  constructor(name: string, fail = false) {
    this.name = name;
    this.#fail = fail;
  }
  send(event: AlertEvent): void {
    if (this.#fail) throw new Error('broken channel');
    this.events.push(event);
  }
  resume(event: AlertEvent): void {
    if (this.#fail) throw new Error('broken channel');
    this.resumed.push(event);
  }
  stats(): ChannelStats {
    return { ...emptyStats, sent: this.events.length };
  }
  async shutdown(timeoutMs?: number): Promise<void> {
    this.shutdowns.push(timeoutMs);
  }
}

describe('routeAlerts', () => {
  it('should deliver an event to every channel when it names none', () => {
    const [a, b] = [new RecordingChannel('a'), new RecordingChannel('b')];
    const router = routeAlerts([a, b]);
    router(firing());
    expect([a.events.length, b.events.length]).toEqual([1, 1]);
  });

  it('should deliver an event only to the channels it names, once each, and count unknown names', () => {
    const [a, b] = [new RecordingChannel('a'), new RecordingChannel('b')];
    const router = routeAlerts([a, b]);
    router(firing({ channels: ['b', 'b', 'nope'] }));
    router(firing({ channels: ['nope'] }));
    expect([a.events.length, b.events.length]).toEqual([0, 1]);
    expect(router.unrouted()).toBe(2);
    expect(router.stats()).toEqual({ a: emptyStats, b: { ...emptyStats, sent: 1 } });
  });

  it('should keep delivering to the other channels when one throws, and never throw itself', () => {
    const [broken, ok] = [new RecordingChannel('broken', true), new RecordingChannel('ok')];
    const router = routeAlerts([broken, ok]);
    expect(() => router(firing())).not.toThrow();
    expect(() => router(null as unknown as AlertEvent)).not.toThrow();
    expect(ok.events).toHaveLength(1);
  });

  it('should resume restored alerts on their channels only, skip channels without resume and never throw', () => {
    const [a, b, broken] = [
      new RecordingChannel('a'),
      new RecordingChannel('b'),
      new RecordingChannel('x', true),
    ];
    const once: AlertChannel = {
      name: 'once',
      send: () => {},
      stats: () => emptyStats,
      shutdown: async () => {},
    };
    const router = routeAlerts([a, b, broken, once]);
    const [all, onlyB] = [firing(), firing({ channels: ['b'] })];
    expect(() => router.resume([all, onlyB])).not.toThrow();
    expect([a.resumed, b.resumed, a.events, b.events]).toEqual([[all], [all, onlyB], [], []]);
  });

  it('should shut every channel down with the timeout', async () => {
    const [a, b] = [new RecordingChannel('a'), new RecordingChannel('b')];
    await routeAlerts([a, b]).shutdown(1234);
    expect([a.shutdowns, b.shutdowns]).toEqual([[1234], [1234]]);
  });
});

describe('createChannels', () => {
  it('should build one channel per configured entry, in order, with its name', async () => {
    const { channels: configs } = alertingSchema.parse({
      channels: [
        { name: 'stderr', type: 'log' },
        { name: 'ops', type: 'webhook', url: 'http://127.0.0.1:9/hook', secret: 's' },
        { name: 'am', type: 'alertmanager', url: 'http://127.0.0.1:9093', resendInterval: '30s' },
      ],
    });
    const channels = createChannels(configs, { clock: new ManualClock() });
    expect(channels.map((c) => [c.constructor, c.name])).toEqual([
      [LogChannel, 'stderr'],
      [WebhookChannel, 'ops'],
      [AlertmanagerChannel, 'am'],
    ]);
    await routeAlerts(channels).shutdown(100);
  });

  it('should give the default config a single log channel', () => {
    const { channels } = alertingSchema.parse({});
    expect(createChannels(channels).map((c) => c.name)).toEqual(['log']);
  });
});
