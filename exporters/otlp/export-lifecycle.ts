import { diag } from '@opentelemetry/api';

/**
 * Template-method lifecycle of an export component, as OpenTelemetry's `MetricReader`: the public
 * `forceFlush()` and `shutdown()` bound each hook by a deadline, never reject, and make a second
 * shutdown a logged no-op that returns the first one's promise. Subclasses implement the hooks and
 * stop their work when the `deadline` signal aborts.
 */
export abstract class ExportLifecycle {
  readonly #name: string;
  readonly #timeoutMs: number;
  readonly #shutdownTimeoutMs: number;
  #shutdown: Promise<void> | undefined;

  /**
   * @param name component name for diagnostics
   * @param timeoutMs bound of each forceFlush, ms
   * @param shutdownTimeoutMs bound of shutdown, ms. @default timeoutMs
   */
  constructor(name: string, timeoutMs: number, shutdownTimeoutMs = timeoutMs) {
    this.#name = name;
    this.#timeoutMs = timeoutMs;
    this.#shutdownTimeoutMs = shutdownTimeoutMs;
  }

  /** true once shutdown() was called. */
  get isShutdown(): boolean {
    return this.#shutdown !== undefined;
  }

  /** Sends what is queued, waiting at most the timeout; after shutdown, waits for it. */
  forceFlush(): Promise<void> {
    if (this.#shutdown !== undefined) return this.#shutdown;
    return this.#bounded('forceFlush', this.#timeoutMs, (deadline) => this.onForceFlush(deadline));
  }

  /** Flushes within the timeout, then releases resources. Idempotent. */
  shutdown(): Promise<void> {
    if (this.#shutdown !== undefined) {
      diag.debug(`${this.#name}: shutdown() called again; ignored`);
      return this.#shutdown;
    }
    this.#shutdown = this.#bounded('shutdown', this.#shutdownTimeoutMs, (deadline) =>
      this.onShutdown(deadline),
    );
    return this.#shutdown;
  }

  /** Sends what is queued; stop waiting when `deadline` aborts. */
  protected abstract onForceFlush(deadline: AbortSignal): Promise<void>;

  /** Flushes and releases resources; abandon remaining work when `deadline` aborts. */
  protected abstract onShutdown(deadline: AbortSignal): Promise<void>;

  async #bounded(
    what: string,
    timeoutMs: number,
    hook: (deadline: AbortSignal) => Promise<void>,
  ): Promise<void> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => {
        // Hooks see the abort synchronously, before this promise's continuation runs.
        controller.abort(new Error(`${what} timed out`));
        resolve('expired');
      }, timeoutMs);
      // Deliberately ref'd (and cleared below): the caller awaits this promise, so it must settle
      // even when only unref'd work (a backoff wait) is pending; an unref'd timer let the process
      // exit with the caller's `await` unsettled. It holds the process for at most `timeoutMs`.
    });
    const work = Promise.resolve()
      .then(() => hook(controller.signal))
      .then(
        () => 'done' as const,
        (error: unknown) => {
          diag.error(`${this.#name}: ${what} failed`, error);
          return 'done' as const;
        },
      );
    const outcome = await Promise.race([work, expired]);
    clearTimeout(timer);
    if (outcome === 'expired') diag.warn(`${this.#name}: ${what} did not finish within ${timeoutMs} ms`);
  }
}
