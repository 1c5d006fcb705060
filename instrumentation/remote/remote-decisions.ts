/**
 * Degradation decisions for a service whose agent runs elsewhere (collector mode): it follows the
 * agent's SSE decision stream, keeps the last known level when the agent is away, and reconnects
 * with backoff, resuming with `Last-Event-ID`. Nothing here throws into the host: failures go to
 * `diag`, timers are unref'd, and `close()` aborts the request.
 */
import { diag } from '@opentelemetry/api';
import {
  type DegradationDecision,
  type DegradationLevel,
  type FeatureFlags,
  formatService,
  serviceId,
} from '../../agent/index.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';
import { RemoteState } from './remote-state.ts';
import { type SseMessage, SseParser } from './sse-parser.ts';
import { readStream, streamRequest } from './stream-request.ts';

/** Options of {@link connectDecisions}. */
export interface ConnectDecisionsOptions {
  /** Base URL of the decision API, e.g. `http://127.0.0.1:4320`. */
  readonly url: string;
  /** service.name whose decisions to follow. */
  readonly service: string;
  /**
   * service.namespace of that service (the same as its resource's); a service is
   * (namespace, name), so `checkout` in `payments` and in `shop` are two services.
   * @default '' (a service without a namespace)
   */
  readonly namespace?: string;
  /** Bearer token with the `read` scope. @default none (the API must allow anonymous read) */
  readonly token?: string;
  /** Called with each decision as it arrives (also those replayed after a reconnection); a throw is logged. */
  readonly onDecision?: (decision: DegradationDecision) => void;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Reconnection delays. @default 0.5 s doubling to 30 s, with jitter */
  readonly backoff?: BackoffOptions;
  /** A stream silent this long is presumed dead and reopened, ms (the API sends keepalives every 15 s). @default 45000 */
  readonly idleTimeoutMs?: number;
  /** Source of `lastUpdateMs`. @default Date.now */
  readonly now?: () => number;
}

/** The last known decisions of one service. */
export interface RemoteDecisions {
  /** The last known level; NONE until the agent has said otherwise. */
  readonly level: DegradationLevel;
  /** O(1) feature switches of the last known level; every feature on at first. */
  readonly features: FeatureFlags;
  /** Whether the stream is open now. */
  readonly connected: boolean;
  /** When the last state or decision arrived, ms since the epoch; `undefined` before the first. */
  readonly lastUpdateMs: number | undefined;
  /** Stops following the stream and aborts the request. Idempotent. */
  close(): void;
}

/**
 * Starts following the decisions of `options.service`; returns at once (the state is NONE until
 * the first event).
 * @example
 * const decisions = connectDecisions({ url: 'http://headroom:4320', namespace: 'payments', service: 'checkout', token });
 * if (decisions.features.enabled('recommendations')) page.recommendations = await recommend(user);
 */
export function connectDecisions(options: ConnectDecisionsOptions): RemoteDecisions {
  const client = new RemoteDecisionsClient(options);
  client.start();
  return client;
}

class RemoteDecisionsClient implements RemoteDecisions {
  readonly #options: ConnectDecisionsOptions;
  readonly #state: RemoteState;
  readonly #backoff: Backoff;
  readonly #parser: SseParser;
  #connected = false;
  #closed = false;
  /** A failure was already reported for the current outage (the next ones go to debug). */
  #reported = false;
  #controller: AbortController | undefined;
  #wake: (() => void) | undefined;

  constructor(options: ConnectDecisionsOptions) {
    this.#options = options;
    this.#state = new RemoteState(
      serviceId(options.namespace ?? '', options.service),
      options.now ?? Date.now,
    );
    this.#backoff = new Backoff(options.backoff);
    this.#parser = new SseParser({ onEvent: (message) => this.#onEvent(message) });
  }

  get level(): DegradationLevel {
    return this.#state.level;
  }

  get features(): FeatureFlags {
    return this.#state.features;
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
    this.#wake?.();
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      await this.#connectOnce();
      if (!this.#closed) await this.#sleep(this.#backoff.next());
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
      this.#reported = false;
      this.#backoff.reset();
      const idleTimeoutMs = this.#options.idleTimeoutMs ?? 45_000;
      const end = await readStream(outcome.body, controller, idleTimeoutMs, (text) =>
        this.#parser.push(text),
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
    if (message.event === 'state') this.#state.applyState(message.data);
    else if (message.event === 'decision') {
      const decision = this.#state.applyDecision(message.data);
      if (decision !== undefined) this.#notify(decision);
    }
  }

  #notify(decision: DegradationDecision): void {
    try {
      this.#options.onDecision?.(decision);
    } catch (error) {
      diag.error('headroom: an onDecision listener threw', error);
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

  #sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(wake, delayMs);
      timer.unref();
      this.#wake = wake;
    });
  }
}
