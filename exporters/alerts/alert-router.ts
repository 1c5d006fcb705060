/**
 * Fans alert events out to channels: to the channels an event names, or to all of them. The
 * router is itself the listener the agent calls, so wiring is `agent.onAlert(router)`.
 */
import { diag } from '@opentelemetry/api';
import type { AlertEvent, AlertListener } from '../../agent/index.ts';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from './queued-channel.ts';
import type { AlertChannel, ChannelStats } from './types.ts';

/** A listener that delivers each event to its channels, plus their lifecycle. */
export interface AlertRouter extends AlertListener {
  readonly channels: readonly AlertChannel[];
  /** Counters of each channel, by name. */
  stats(): Readonly<Record<string, ChannelStats>>;
  /** Deliveries skipped because an event named a channel that does not exist. */
  unrouted(): number;
  /**
   * Hands firing alerts restored after a restart to their channels' `resume` (Alertmanager keeps
   * them alive; webhook and log channels, which notified them before, send nothing). Never throws.
   */
  resume(firing: readonly AlertEvent[]): void;
  /** Flushes every channel within `timeoutMs` (in parallel), then stops them. Never rejects. */
  shutdown(timeoutMs?: number): Promise<void>;
}

/**
 * The listener delivering events to `channels`. An event with `channels` goes to those names
 * only; an unknown name is counted in `unrouted()` and reported once.
 * @example
 * const router = routeAlerts(createChannels(config.alerting.channels));
 * router(event);
 * await router.shutdown(5000);
 */
export function routeAlerts(channels: readonly AlertChannel[]): AlertRouter {
  const byName = new Map(channels.map((channel) => [channel.name, channel]));
  const reported = new Set<string>();
  let unrouted = 0;
  const targets = (event: AlertEvent): readonly AlertChannel[] => {
    if (event.channels === undefined) return channels;
    const found: AlertChannel[] = [];
    for (const name of new Set(event.channels)) {
      const channel = byName.get(name);
      if (channel !== undefined) found.push(channel);
      else unrouted += reportUnknown(name, reported);
    }
    return found;
  };
  const deliver = (event: AlertEvent): void => {
    try {
      for (const channel of targets(event)) sendSafely(channel, event);
    } catch (error) {
      diag.error('headroom: alert routing failed', error);
    }
  };
  return Object.assign(deliver, {
    channels,
    stats: () => Object.fromEntries(channels.map((channel) => [channel.name, channel.stats()])),
    unrouted: () => unrouted,
    resume: (firing: readonly AlertEvent[]) => {
      for (const event of firing) {
        for (const channel of targets(event)) callSafely(channel, () => channel.resume?.(event));
      }
    },
    shutdown: async (timeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS) => {
      await Promise.allSettled(channels.map((channel) => channel.shutdown(timeoutMs)));
    },
  });
}

function reportUnknown(name: string, reported: Set<string>): number {
  if (!reported.has(name)) {
    reported.add(name);
    diag.warn(`headroom: alert for unknown channel "${name}" not delivered there`);
  }
  return 1;
}

/** Channels never throw; a third-party one that does must not stop the others. */
function sendSafely(channel: AlertChannel, event: AlertEvent): void {
  callSafely(channel, () => channel.send(event));
}

function callSafely(channel: AlertChannel, call: () => void): void {
  try {
    call();
  } catch (error) {
    diag.error(`headroom: alert channel ${channel.name} threw`, error);
  }
}
