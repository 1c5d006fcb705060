/**
 * Sending over a Node IPC channel without piling up: `send()` returns false once the channel's
 * backlog is over its limit (the message is still queued); the outbox then hands nothing more over
 * until that message was written, and a closed channel takes nothing. Never throws.
 */
import { diag } from '@opentelemetry/api';

/** One end of an IPC channel, shaped like `process.send` and `worker.send`. */
export interface Channel {
  /**
   * Queues `message`; returns false when the backlog is over its limit. `done` is called once the
   * message was written, or with the error (a closed channel). May throw.
   */
  send(message: object, done: (error: Error | null) => void): boolean;
}

export class Outbox {
  readonly #channel: Channel;
  /** The number of the message that found the channel congested; 0 when none waits. */
  #busyOn = 0;
  #sent = 0;
  #closed = false;
  #latest: object | undefined;
  #failed = 0;

  constructor(channel: Channel) {
    this.#channel = channel;
  }

  /** Whether a message handed over now goes out at once (not congested, not closed). */
  get ready(): boolean {
    return this.#busyOn === 0 && !this.#closed;
  }

  /** Messages that could not be sent (the channel closed or refused them). */
  get failed(): number {
    return this.#failed;
  }

  /** Sends `message` when {@link ready}; returns whether it was handed over. */
  send(message: object): boolean {
    if (!this.ready) return false;
    try {
      const number = ++this.#sent;
      if (!this.#channel.send(message, (error) => this.#written(number, error))) this.#busyOn = number;
      return true;
    } catch (error) {
      this.#fail(error);
      return false;
    }
  }

  /**
   * Sends `message` now, or once the channel drained when it is congested; a later call replaces
   * a message still waiting (for messages where only the newest matters: a state).
   */
  sendLatest(message: object): void {
    if (this.send(message)) return;
    if (!this.#closed) this.#latest = message;
  }

  #written(number: number, error: Error | null): void {
    if (error !== null) {
      this.#fail(error);
      return;
    }
    if (number !== this.#busyOn) return;
    this.#busyOn = 0;
    const latest = this.#latest;
    this.#latest = undefined;
    if (latest !== undefined) this.send(latest);
  }

  #fail(error: unknown): void {
    this.#failed++;
    this.#closed = true;
    this.#latest = undefined;
    diag.debug('headroom: cluster IPC channel refused a message; it is closed', error);
  }
}
