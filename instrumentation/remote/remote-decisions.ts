/**
 * Degradation decisions for a service whose agent runs elsewhere (collector mode): it follows the
 * agent's SSE decision stream, keeps the last known level when the agent is away (reporting
 * `stale` after `staleAfterMs` of silence, with an optional fallback level), drops it when another
 * agent instance answers, and reconnects with backoff, resuming with `Last-Event-ID`. Only
 * `connectDecisions` itself throws, on options it cannot work with; after that failures go to
 * `diag`, timers are unref'd, and `close()` aborts the request.
 */
import { diag } from '@opentelemetry/api';
import {
  type AdmissionDecision,
  type AdmissionResult,
  type Clock,
  type Criticality,
  type DegradationDecision,
  type DegradationLevel,
  type ExponentialBackoff,
  type FeatureFlags,
  formatService,
  serviceId,
  sleep,
  systemClock,
} from '../../agent/index.ts';
import { reconnectBackoff } from './backoff.ts';
import { checkConnectOptions, type FallbackState, fallbackOf } from './connect-options.ts';
import { RemoteAdmission } from './remote-admission.ts';
import { RemoteState } from './remote-state.ts';
import { type SseMessage, SseParser } from './sse-parser.ts';
import { readStream, streamRequest } from './stream-request.ts';
import type { ConnectDecisionsOptions, RemoteDecisions, RemoteDecisionsState } from './types.ts';

export type {
  ConnectDecisionsOptions,
  RemoteAdmissionState,
  RemoteDecisions,
  RemoteDecisionsState,
} from './types.ts';

/**
 * Starts following the decisions of `options.service`; returns at once (the state is NONE until
 * the first event).
 * @throws {ClientOptionsError} `HEADROOM_ERR_CLIENT_OPTIONS_INVALID` when `url` is not an http(s)
 * URL, `service` is empty, or another option is out of range
 * @example
 * const decisions = connectDecisions({ url: 'http://headroom:4320', namespace: 'payments', service: 'checkout', token });
 * if (decisions.features.enabled('recommendations')) page.recommendations = await recommend(user);
 */
export function connectDecisions(options: ConnectDecisionsOptions): RemoteDecisions {
  return followDecisions(options, systemClock);
}

/**
 * {@link connectDecisions} on `clock` (time, reconnection waits, the idle timeout): internal, for
 * tests on a manual clock. `options.now`, when set, still wins for time.
 * @throws {ClientOptionsError} as {@link connectDecisions}
 */
export function followDecisions(options: ConnectDecisionsOptions, clock: Clock): RemoteDecisions {
  checkConnectOptions(options);
  const client = new RemoteDecisionsClient(options, clock);
  client.start();
  return client;
}

class RemoteDecisionsClient implements RemoteDecisions {
  readonly #options: ConnectDecisionsOptions;
  readonly #state: RemoteState;
  readonly #admission: RemoteAdmission;
  readonly #backoff: ExponentialBackoff;
  readonly #parser: SseParser;
  readonly #clock: Clock;
  readonly #now: () => number;
  /** Aborted by close(): cancels the request and the reconnection wait. */
  readonly #closing = new AbortController();
  readonly #staleAfterMs: number;
  readonly #fallback: FallbackState | undefined;
  /** Start of the current silence: the last time anything arrived, or the client's start. */
  #silentSinceMs: number;
  #lastHeardMs: number | undefined;
  #connected = false;
  #closed = false;
  /** A failure was already reported for the current outage (the next ones go to debug). */
  #reported = false;
  #controller: AbortController | undefined;

  constructor(options: ConnectDecisionsOptions, clock: Clock) {
    this.#options = options;
    this.#clock = clock;
    this.#now = options.now ?? (() => this.#clock.now());
    const id = serviceId(options.namespace ?? '', options.service);
    this.#state = new RemoteState(id, this.#now);
    this.#admission = new RemoteAdmission(id, options.random ?? Math.random);
    this.#staleAfterMs = options.staleAfterMs ?? 45_000;
    this.#fallback = fallbackOf(options);
    this.#silentSinceMs = this.#now();
    this.features = Object.freeze({
      enabled: (name: string) => (this.#fallen() ?? this.#state.features).enabled(name),
      disabled: () => (this.#fallen() ?? this.#state.features).disabled(),
    });
    this.#backoff = reconnectBackoff(options.backoff, this.#clock.now());
    this.#parser = new SseParser({ onEvent: (message) => this.#onEvent(message) });
  }

  readonly features: FeatureFlags;

  get level(): DegradationLevel {
    return this.#fallen()?.level ?? this.#state.level;
  }

  get stale(): boolean {
    return this.#now() - this.#silentSinceMs >= this.#staleAfterMs;
  }

  state(): RemoteDecisionsState {
    return {
      level: this.level,
      disabledFeatures: this.features.disabled(),
      connected: this.#connected,
      stale: this.stale,
      lastUpdateMs: this.#state.lastUpdateMs,
      lastHeardMs: this.#lastHeardMs,
      agentInstanceId: this.#state.instanceId,
      admission: this.#admission.state,
      requests: this.#admission.requests,
    };
  }

  admit(criticality?: Criticality): AdmissionResult {
    return this.#admission.admit(criticality, this.#connected && !this.stale);
  }

  /** The fallback while it applies (stale, with a fallback level), else `undefined`. */
  #fallen(): FallbackState | undefined {
    return this.#fallback !== undefined && this.stale ? this.#fallback : undefined;
  }

  #heard(): void {
    this.#lastHeardMs = this.#silentSinceMs = this.#now();
  }

  get connected(): boolean {
    return this.#connected;
  }

  get lastUpdateMs(): number | undefined {
    return this.#state.lastUpdateMs;
  }

  start(): void {
    // #run catches everything it awaits: the promise never rejects.
    void this.#run();
  }

  close(): void {
    this.#closed = true;
    this.#controller?.abort();
    this.#closing.abort();
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      await this.#connectOnce();
      // Never undefined: the reconnection policy has no elapsed-time limit.
      const delayMs = this.#backoff.nextDelayMs(this.#clock.now()) ?? 0;
      if (!this.#closed) await sleep(this.#clock, delayMs, this.#closing.signal).catch(() => undefined);
    }
  }

  async #connectOnce(): Promise<void> {
    const controller = new AbortController();
    this.#controller = controller;
    try {
      const outcome = await streamRequest(this.#options, this.#parser.lastEventId, controller.signal);
      if (!outcome.ok) {
        this.#report(outcome.problem);
        return;
      }
      if (this.#closed) return;
      this.#connected = true;
      this.#heard();
      this.#reported = false;
      this.#backoff.reset(this.#clock.now());
      const idleTimeoutMs = this.#options.idleTimeoutMs ?? 45_000;
      const end = await readStream(
        outcome.body,
        controller,
        { idleTimeoutMs, clock: this.#clock },
        (text) => {
          this.#heard();
          this.#parser.push(text);
        },
      );
      if (this.#closed) return;
      this.#report(
        end === 'idle'
          ? `the decision stream was silent for ${idleTimeoutMs} ms`
          : 'the decision stream ended',
      );
    } catch (error) {
      if (!this.#closed) this.#report('cannot follow the decision stream', error);
    } finally {
      this.#connected = false;
      this.#parser.reset();
    }
  }

  #onEvent(message: SseMessage): void {
    const { event, data } = message;
    if (event === 'agent') this.#state.applyAgent(data);
    else if (event === 'state') this.#state.applyState(data);
    else if (event === 'decision') {
      const decision = this.#state.applyDecision(data);
      if (decision !== undefined) this.#notify('onDecision', this.#options.onDecision, decision);
    } else if (event === 'admission-state') this.#admission.applyState(data);
    else if (event === 'admission-decision') {
      const decision = this.#admission.decisionOf(data);
      if (decision !== undefined)
        this.#notify('onAdmissionDecision', this.#options.onAdmissionDecision, decision);
    }
    // A new agent instance (agent or state event) invalidates what the previous one said.
    if (event === 'agent' || event === 'state') this.#admission.noteInstance(this.#state.instanceId);
  }

  #notify<D extends DegradationDecision | AdmissionDecision>(
    name: string,
    listener: ((decision: D) => void) | undefined,
    decision: D,
  ): void {
    try {
      listener?.(decision);
    } catch (error) {
      diag.error(`headroom: an ${name} listener threw`, error);
    }
  }

  #report(what: string, error?: unknown): void {
    const service = formatService({
      namespace: this.#options.namespace ?? '',
      service: this.#options.service,
    });
    const message = `headroom: ${what} (${service}); keeping level ${this.level} and retrying`;
    if (this.#reported) diag.debug(message, error);
    else diag.warn(message, error);
    this.#reported = true;
  }
}
