/** Builds the channels `alerting.channels` configures. */
import { AlertmanagerChannel } from './alertmanager-channel.ts';
import { LogChannel } from './log-channel.ts';
import type { AlertChannel, AlertChannelConfig, ChannelDeps } from './types.ts';
import { WebhookChannel } from './webhook-channel.ts';

/**
 * One channel per entry of `configs`, in order, sharing `deps`. Config validation has already
 * checked the entries; names are expected to be unique (a later duplicate is unreachable by name).
 * @example
 * const router = routeAlerts(createChannels(config.alerting.channels, { clock }));
 */
export function createChannels(
  configs: readonly AlertChannelConfig[],
  deps: ChannelDeps = {},
): AlertChannel[] {
  return configs.map((config) => createChannel(config, deps));
}

/** The channel `config` describes. */
function createChannel(config: AlertChannelConfig, deps: ChannelDeps = {}): AlertChannel {
  switch (config.type) {
    case 'log':
      return new LogChannel(config, deps);
    case 'webhook':
      return new WebhookChannel(config, deps);
    case 'alertmanager':
      return new AlertmanagerChannel(config, deps);
  }
}
