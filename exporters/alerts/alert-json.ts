/**
 * An alert event as JSON for humans and receivers (the log line and the webhook body): the event
 * with its times as RFC 3339 / ISO 8601 strings, without the routing field `channels`.
 */
import type { AlertEvent } from '../../agent/index.ts';

/** The JSON form of an {@link AlertEvent}. */
export interface AlertJson {
  readonly status: AlertEvent['status'];
  readonly fingerprint: string;
  readonly rule: string;
  readonly kind: AlertEvent['kind'];
  readonly severity: AlertEvent['severity'];
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** ISO 8601, UTC, ms precision. */
  readonly startsAt: string;
  readonly endsAt?: string;
  readonly value: number;
}

/** ms since the epoch as ISO 8601 (UTC); throws a RangeError when `ms` is not a valid time. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** The JSON form of `event`; throws a RangeError when one of its times is invalid. */
export function alertJson(event: AlertEvent): AlertJson {
  const { status, fingerprint, rule, kind, severity, labels, annotations, value } = event;
  return {
    status,
    fingerprint,
    rule,
    kind,
    severity,
    labels,
    annotations,
    startsAt: isoTime(event.startsAt),
    ...(event.endsAt === undefined ? {} : { endsAt: isoTime(event.endsAt) }),
    value,
  };
}
