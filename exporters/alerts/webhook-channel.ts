/**
 * Posts each alert event as signed JSON to an HTTP endpoint (see webhook-payload.ts for the format
 * and how to verify it), retrying transient failures with backoff.
 */
import { diag } from '@opentelemetry/api';
import type { AlertEvent } from '../../agent/index.ts';
import { type DeliveryResult, HttpTransport, isRetryableAlertStatus } from '../delivery/index.ts';
import { QueuedChannel } from './queued-channel.ts';
import type { ChannelDeps, WebhookChannelConfig } from './types.ts';
import {
  EVENT_ID_HEADER,
  SIGNATURE_HEADER,
  webhookBody,
  webhookEventId,
  webhookSignature,
} from './webhook-payload.ts';

/** One queued event, serialized when it was sent. */
interface WebhookItem {
  readonly body: string;
  readonly eventId: string;
}

/**
 * `alerting.channels[]` of type `webhook`: one POST per event with the configured headers,
 * `Content-Type: application/json`, `X-Headroom-Event-Id` and, with a `secret`,
 * `X-Headroom-Signature`. Network errors, timeouts, 408, 429 (after its Retry-After) and 5xx are
 * retried up to `maxRetries` times; other replies drop the event. Every drop is counted.
 * @example
 * const channel = new WebhookChannel({ name: 'ops', type: 'webhook', url, headers: {}, timeoutMs: 5000, maxRetries: 5 });
 * channel.send(event);
 * await channel.shutdown(2000);
 */
export class WebhookChannel extends QueuedChannel<WebhookItem> {
  readonly #config: WebhookChannelConfig;
  readonly #transport: HttpTransport;

  constructor(config: WebhookChannelConfig, deps: ChannelDeps = {}) {
    super({ name: config.name, batchSize: 1, maxRetries: config.maxRetries }, deps);
    this.#config = config;
    this.#transport = new HttpTransport({
      url: config.url,
      headers: config.headers,
      contentType: 'application/json',
      timeoutMs: config.timeoutMs,
      retryableStatus: isRetryableAlertStatus,
      clock: this.clock,
    });
  }

  send(event: AlertEvent): void {
    let item: WebhookItem;
    try {
      item = { body: webhookBody(event), eventId: webhookEventId(event) };
    } catch (error) {
      diag.warn(`headroom: alert channel ${this.name}: unserializable alert ${event?.rule} dropped`, error);
      this.drop('invalid', 1);
      return;
    }
    this.enqueue(item);
  }

  protected attempt(batch: readonly WebhookItem[], signal: AbortSignal): Promise<DeliveryResult> {
    const item = batch[0] as WebhookItem;
    return this.#transport.send(item.body, signal, this.#headers(item, this.clock.now()));
  }

  protected override onStopped(): void {
    this.#transport.shutdown();
  }

  #headers(item: WebhookItem, nowMs: number): Record<string, string> {
    const headers: Record<string, string> = { [EVENT_ID_HEADER]: item.eventId };
    const secret = this.#config.secret;
    if (secret !== undefined) {
      headers[SIGNATURE_HEADER] = webhookSignature(secret, Math.floor(nowMs / 1000), item.body);
    }
    return headers;
  }
}
