/**
 * Sends alerts to a Prometheus Alertmanager the way Prometheus does: firing alerts re-sent every
 * resend interval while they fire (Alertmanager resolves an alert that stops arriving once its
 * `endsAt` passes), a resolution sent once with `endsAt <= now`, up to 64 alerts per request.
 */
import { diag } from '@opentelemetry/api';
import type { AlertEvent, TimerHandle } from '../../agent/index.ts';
import { type DeliveryResult, HttpTransport, isRetryableAlertStatus } from '../delivery/index.ts';
import {
  type AlertmanagerAlertState,
  alertmanagerAlert,
  alertState,
  alertsUrl,
  resolvedState,
} from './alertmanager-payload.ts';
import { DEFAULT_QUEUE_CAPACITY, QueuedChannel } from './queued-channel.ts';
import type { AlertmanagerChannelConfig, ChannelDeps } from './types.ts';

/** Alerts per request (Prometheus' notifier sends at most 64). */
const ALERTMANAGER_BATCH_SIZE = 64;
/** Retries of one batch by default; resends cover what is lost beyond them. */
const DEFAULT_ALERTMANAGER_RETRIES = 5;

/**
 * `alerting.channels[]` of type `alertmanager`. Keeps the alerts firing now (at most
 * `deps.queueCapacity`, keyed by fingerprint) and queues them again every `resendInterval`; the
 * queue keeps one state per label set, so a resolution replaces a queued firing of the same
 * alert. When an alert's labels change while it fires (a new severity), the old label set is
 * resolved. Shutdown does not resolve firing alerts: they expire in Alertmanager after
 * 4 x `resendInterval`, as a dead Prometheus' alerts do.
 * @example
 * const channel = new AlertmanagerChannel({ name: 'am', type: 'alertmanager', url: 'http://localhost:9093', resendIntervalMs: 60_000, timeoutMs: 5000 });
 * channel.send(event);
 */
export class AlertmanagerChannel extends QueuedChannel<AlertmanagerAlertState> {
  readonly #config: AlertmanagerChannelConfig;
  readonly #transport: HttpTransport;
  readonly #generatorUrl: string;
  readonly #capacity: number;
  readonly #firing = new Map<string, AlertmanagerAlertState>();
  readonly #resendTimer: TimerHandle;

  constructor(config: AlertmanagerChannelConfig, deps: ChannelDeps = {}) {
    const maxRetries = deps.maxRetries ?? DEFAULT_ALERTMANAGER_RETRIES;
    super({ name: config.name, batchSize: ALERTMANAGER_BATCH_SIZE, maxRetries, keyOf: (s) => s.key }, deps);
    this.#config = config;
    this.#transport = new HttpTransport({
      url: alertsUrl(config.url),
      headers: {},
      contentType: 'application/json',
      timeoutMs: config.timeoutMs,
      retryableStatus: isRetryableAlertStatus,
      clock: this.clock,
    });
    this.#generatorUrl = deps.generatorUrl ?? '';
    this.#capacity = deps.queueCapacity ?? DEFAULT_QUEUE_CAPACITY;
    this.#resendTimer = this.clock.every(config.resendIntervalMs, () => this.#resend());
  }

  /** Alerts firing now, as Alertmanager will see them (labels), for diagnostics. */
  get firing(): number {
    return this.#firing.size;
  }

  send(event: AlertEvent): void {
    try {
      const state = alertState(event, this.clock.now());
      if (event.status === 'firing') this.#fire(event.fingerprint, state);
      else this.#resolve(event.fingerprint, state);
    } catch (error) {
      diag.warn(`headroom: alert channel ${this.name}: unusable alert ${event?.rule} dropped`, error);
      this.drop('invalid', 1);
    }
  }

  /** Re-sends a firing alert restored after a restart, with its `startsAt`, as {@link send} would. */
  resume(event: AlertEvent): void {
    if (event?.status === 'firing') this.send(event);
  }

  protected override onShutdown(): void {
    this.#resendTimer.cancel();
  }

  protected override onStopped(): void {
    this.#transport.shutdown();
  }

  protected attempt(batch: readonly AlertmanagerAlertState[], signal: AbortSignal): Promise<DeliveryResult> {
    const nowMs = this.clock.now();
    const { resendIntervalMs } = this.#config;
    const alerts = batch.map((state) =>
      alertmanagerAlert(state, nowMs, resendIntervalMs, this.#generatorUrl),
    );
    return this.#transport.send(JSON.stringify(alerts), signal);
  }

  #fire(fingerprint: string, state: AlertmanagerAlertState): void {
    const previous = this.#firing.get(fingerprint);
    if (previous === undefined && this.#firing.size >= this.#capacity) {
      diag.warn(
        `headroom: alert channel ${this.name}: ${this.#capacity} alerts firing; ${state.key} dropped`,
      );
      this.drop('queue_full', 1);
      return;
    }
    this.#firing.set(fingerprint, state);
    this.#resolveReplaced(previous, state);
    this.enqueue(state);
  }

  #resolve(fingerprint: string, state: AlertmanagerAlertState): void {
    const previous = this.#firing.get(fingerprint);
    this.#firing.delete(fingerprint);
    this.#resolveReplaced(previous, state);
    this.enqueue(state);
  }

  /** Resolves `previous` when `next` has other labels: Alertmanager would keep it firing. */
  #resolveReplaced(previous: AlertmanagerAlertState | undefined, next: AlertmanagerAlertState): void {
    if (previous !== undefined && previous.key !== next.key) {
      this.enqueue(resolvedState(previous, this.clock.now()));
    }
  }

  #resend(): void {
    if (this.closed) return;
    for (const state of this.#firing.values()) this.enqueue(state);
  }
}
