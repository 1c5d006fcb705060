// Public face of exporters/alerts: delivery of the agent's alert events to logs, webhooks and Alertmanager.
export { type AlertRouter, routeAlerts } from './alert-router.ts';
export {
  ALERTMANAGER_BATCH_SIZE,
  AlertmanagerChannel,
  DEFAULT_ALERTMANAGER_RETRIES,
} from './alertmanager-channel.ts';
export { type AlertmanagerAlert, ENDS_AT_RESEND_FACTOR } from './alertmanager-payload.ts';
export { createChannel, createChannels } from './create-channels.ts';
export { LogChannel, logLine } from './log-channel.ts';
export {
  ALERT_MAX_ELAPSED_MS,
  DEFAULT_BACKOFF_BASE_MS,
  DEFAULT_BACKOFF_CAP_MS,
  DEFAULT_QUEUE_CAPACITY,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
} from './queued-channel.ts';
export {
  ALERT_DROP_REASONS,
  type AlertChannel,
  type AlertChannelConfig,
  type AlertDropReason,
  type AlertmanagerChannelConfig,
  type ChannelDeps,
  type ChannelStats,
  type LogChannelConfig,
  type Sleep,
  type WebhookChannelConfig,
} from './types.ts';
export { WebhookChannel } from './webhook-channel.ts';
export {
  EVENT_ID_HEADER,
  SIGNATURE_HEADER,
  WEBHOOK_VERSION,
  webhookBody,
  webhookEventId,
  webhookSignature,
} from './webhook-payload.ts';
