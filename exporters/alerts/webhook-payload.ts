/**
 * The webhook wire format, pure: the body, the event id and the signature.
 *
 * Body: `{"version":"1","status":"firing"|"resolved","alert":{...}}` (see {@link AlertJson}).
 *
 * Signature (Stripe-style): `X-Headroom-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` where
 * the HMAC key is the channel's `secret` and the signed message is `<t>.<raw body>`. A receiver
 * verifies it so:
 * 1. split the header on `,` into `t=` and `v1=`;
 * 2. compute `hex(HMAC-SHA256(secret, t + "." + rawBody))` over the body bytes exactly as received
 *    (before any JSON parsing);
 * 3. compare it with `v1` in constant time (`crypto.timingSafeEqual`);
 * 4. reject when `|now - t|` exceeds a tolerance (e.g. 300 s) to stop replays. `t` is the time of
 *    each attempt, so a retry after a long backoff still passes.
 * @example
 * const [t, v1] = header.split(',').map((part) => part.slice(part.indexOf('=') + 1));
 * const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex');
 * const ok = v1.length === expected.length && timingSafeEqual(Buffer.from(v1), Buffer.from(expected))
 *   && Math.abs(Date.now() / 1000 - Number(t)) <= 300;
 *
 * `X-Headroom-Event-Id` is the same for every attempt of one event, so receivers can drop
 * duplicates: a hash of fingerprint, status, severity (an escalation is a new event) and startsAt.
 */
import { createHash, createHmac } from 'node:crypto';
import type { AlertEvent } from '../../agent/index.ts';
import { alertJson } from './alert-json.ts';

export const SIGNATURE_HEADER = 'X-Headroom-Signature';
export const EVENT_ID_HEADER = 'X-Headroom-Event-Id';
/** Version of the body format. */
const WEBHOOK_VERSION = '1';

/** The JSON body of `event`; throws a RangeError when one of its times is invalid. */
export function webhookBody(event: AlertEvent): string {
  return JSON.stringify({ version: WEBHOOK_VERSION, status: event.status, alert: alertJson(event) });
}

/** The idempotency key of `event`: 32 hex digits, stable across retries. */
export function webhookEventId(event: AlertEvent): string {
  const identity = [event.fingerprint, event.status, event.severity, String(event.startsAt)].join('\n');
  return createHash('sha256').update(identity).digest('hex').slice(0, 32);
}

/**
 * The signature header's value for `body` sent at `timestampSeconds`.
 * @param timestampSeconds Unix time of the attempt, whole seconds
 */
export function webhookSignature(secret: string, timestampSeconds: number, body: string): string {
  const digest = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${digest}`;
}
