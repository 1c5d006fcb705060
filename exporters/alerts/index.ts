// Public face of exporters/alerts: delivery of the agent's alert events to logs, webhooks and Alertmanager.
export { type AlertRouter, routeAlerts } from './alert-router.ts';
export { AlertmanagerChannel } from './alertmanager-channel.ts';
export type { AlertmanagerAlert } from './alertmanager-payload.ts';
export { createChannels } from './create-channels.ts';
export { LogChannel } from './log-channel.ts';
export type {
  AlertChannel,
  AlertmanagerChannelConfig,
  ChannelDeps,
  ChannelStats,
  Sleep,
  WebhookChannelConfig,
} from './types.ts';
export { WebhookChannel } from './webhook-channel.ts';
export { webhookEventId } from './webhook-payload.ts';
