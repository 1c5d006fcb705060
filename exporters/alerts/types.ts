/**
 * The contract of alert delivery: the channels configured under `alerting.channels`, what they
 * need from their host, and the counters they keep (the future `headroom_alerts_*` metrics).
 */
import type { AlertEvent, Clock } from '../../agent/index.ts';
import type { ResolvedConfig } from '../../config/index.ts';

/** One entry of `alerting.channels` (durations in ms). */
export type AlertChannelConfig = ResolvedConfig['alerting']['channels'][number];
/** `{ name, type: 'log' }`. */
export type LogChannelConfig = Extract<AlertChannelConfig, { type: 'log' }>;
/** `{ name, type: 'webhook', url, secret?, headers, timeout (ms), maxRetries }`. */
export type WebhookChannelConfig = Extract<AlertChannelConfig, { type: 'webhook' }>;
/** `{ name, type: 'alertmanager', url, resendInterval (ms), timeout (ms) }`. */
export type AlertmanagerChannelConfig = Extract<AlertChannelConfig, { type: 'alertmanager' }>;

/** Why a channel gave an alert up; the `reason` label of the dropped counter. */
export const ALERT_DROP_REASONS = Object.freeze([
  'queue_full',
  'non_retryable',
  'retries_exhausted',
  'shutdown',
  'invalid',
] as const);
/** One of {@link ALERT_DROP_REASONS}. */
export type AlertDropReason = (typeof ALERT_DROP_REASONS)[number];

/**
 * Counters of one channel. Every item it accepted is in exactly one place:
 * `sent + dropped + queued` (an update that replaced a queued one for the same alert aside).
 */
export interface ChannelStats {
  /** Items delivered: log lines written, webhook events posted, Alertmanager alerts posted (resends too). */
  readonly sent: number;
  /** Attempts that failed: network error, timeout or non-2xx reply, whether retried or not. */
  readonly failed: number;
  /** Attempts re-made after a retryable failure. */
  readonly retries: number;
  /** Items given up: the sum of `droppedBy`. */
  readonly dropped: number;
  readonly droppedBy: Readonly<Record<AlertDropReason, number>>;
  /** Items waiting or in flight now. */
  readonly queued: number;
}

/** Delivers alert events somewhere. Nothing it does throws into, or blocks, the caller. */
export interface AlertChannel {
  /** The channel's `name` in config; `AlertEvent.channels` refers to it. */
  readonly name: string;
  /** Queues `event` for delivery and returns at once. */
  send(event: AlertEvent): void;
  /**
   * Takes back a firing alert notified before a restart (restored from a store): a channel that
   * re-sends what fires (Alertmanager, which forgets an alert not re-sent within its `endsAt`)
   * sends it again from now on; a channel that notifies once (webhook, log) has nothing to do,
   * so a restart never notifies twice. Absent: nothing to do.
   */
  resume?(event: AlertEvent): void;
  stats(): ChannelStats;
  /**
   * Delivers what is queued within `timeoutMs`, then stops; what is left is dropped (`shutdown`).
   * Never rejects; a second call returns the first one's promise.
   */
  shutdown(timeoutMs?: number): Promise<void>;
}

/** Waits `ms`; resolves early (never rejects) when `signal` aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** What channels take from their host; every field has a default, tests override them. */
export interface ChannelDeps {
  /** Time of log lines and Alertmanager `endsAt`, and the resend timer. @default systemClock */
  readonly clock?: Clock;
  /** Waits between retries. @default an unref'd timer of `clock` */
  readonly sleep?: Sleep;
  /** Uniform source in [0, 1) for the backoff jitter. @default Math.random */
  readonly random?: () => number;
  /** Items a channel holds at most; beyond it the oldest is dropped. @default 1000 */
  readonly queueCapacity?: number;
  /** First retry's backoff ceiling, ms; it doubles per retry. @default 500 */
  readonly backoffBaseMs?: number;
  /** Largest backoff ceiling, ms. @default 30000 */
  readonly backoffCapMs?: number;
  /** LogChannel: writes one line (with its `\n`). @default process.stderr.write */
  readonly write?: (line: string) => void;
  /** AlertmanagerChannel: retries of one batch before it is dropped. @default 5 */
  readonly maxRetries?: number;
  /** AlertmanagerChannel: `generatorURL` of each alert (a link back to its source). @default '' */
  readonly generatorUrl?: string;
}
