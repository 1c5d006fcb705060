/** Alert events, configs and test doubles shared by the channel tests. */
import type { AlertEvent } from '../../../agent/alerting/types.ts';
import type { AlertChannel, Sleep, WebhookChannelConfig } from '../../../exporters/alerts/index.ts';

/** 2026-01-02T03:04:05.678Z */
export const STARTS_AT_MS = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

/** A firing percentile alert of the checkout service. */
export function firing(overrides: Partial<AlertEvent> = {}): AlertEvent {
  return {
    status: 'firing',
    fingerprint: 'checkout-p95{context="emergency",service="checkout"}',
    rule: 'checkout-p95',
    kind: 'percentile',
    severity: 'warning',
    labels: { alertname: 'checkout-p95', severity: 'warning', service: 'checkout', context: 'emergency' },
    annotations: { summary: 'p95 of checkout/emergency is 72 ms, budget 50 ms' },
    startsAt: STARTS_AT_MS,
    value: 1.44,
    ...overrides,
  };
}

/** The resolution of {@link firing}, `endsAtMs` after it started. */
export function resolved(endsAtMs: number, overrides: Partial<AlertEvent> = {}): AlertEvent {
  return firing({ status: 'resolved', endsAt: endsAtMs, value: 0.8, ...overrides });
}

/** A webhook channel config with the schema's defaults. */
export function webhookConfig(
  url: string,
  overrides: Partial<WebhookChannelConfig> = {},
): WebhookChannelConfig {
  return { name: 'ops', type: 'webhook', url, headers: {}, timeoutMs: 5000, maxRetries: 5, ...overrides };
}

/** A sleep that records each requested delay (ms) and returns at once. */
export function recordingSleep(): Sleep & { readonly delaysMs: number[] } {
  const delaysMs: number[] = [];
  const sleep: Sleep = async (ms) => {
    delaysMs.push(ms);
  };
  return Object.assign(sleep, { delaysMs });
}

/** Resolves once `channel` holds nothing (waiting or in flight); rejects after `timeoutMs`. */
export async function idle(channel: AlertChannel, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // A microtask first: send() starts delivery on one.
  await Promise.resolve();
  while (channel.stats().queued > 0) {
    if (Date.now() > deadline) throw new Error(`channel still busy: ${JSON.stringify(channel.stats())}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
