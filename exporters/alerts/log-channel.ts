/**
 * Writes each alert event as one JSON line (to stderr by default), for log pipelines and for
 * development: `{"time":"<ISO>","level":"warn"|"info","msg":"...","alert":{...}}`.
 */
import { diag } from '@opentelemetry/api';
import type { AlertEvent } from '../../agent/index.ts';
import type { DeliveryResult } from '../delivery/index.ts';
import { alertJson, isoTime } from './alert-json.ts';
import { QueuedChannel } from './queued-channel.ts';
import type { ChannelDeps, LogChannelConfig } from './types.ts';

/** The line of `event` logged at `nowMs` (with its trailing newline); throws on an invalid time. */
function logLine(event: AlertEvent, nowMs: number): string {
  const firing = event.status === 'firing';
  const msg = firing
    ? `alert firing: ${event.rule} (${event.severity})`
    : `alert resolved: ${event.rule} (${event.severity})`;
  const line = { time: isoTime(nowMs), level: firing ? 'warn' : 'info', msg, alert: alertJson(event) };
  return `${JSON.stringify(line)}\n`;
}

const writeStderr = (line: string): void => {
  process.stderr.write(line);
};

/**
 * `alerting.channels[]` of type `log`: one line per event through `deps.write`, written on a
 * microtask after `send` returns. A write that throws drops its line (counted as non_retryable).
 * @example
 * const channel = new LogChannel({ name: 'log', type: 'log' });
 * channel.send(event); // {"time":"2026-01-01T00:00:00.000Z","level":"warn","msg":"alert firing: ...
 */
export class LogChannel extends QueuedChannel<string> {
  readonly #write: (line: string) => void;

  constructor(config: LogChannelConfig, deps: ChannelDeps = {}) {
    super({ name: config.name, batchSize: 1, maxRetries: 0 }, deps);
    this.#write = deps.write ?? writeStderr;
  }

  send(event: AlertEvent): void {
    let line: string;
    try {
      line = logLine(event, this.clock.now());
    } catch (error) {
      diag.warn(`headroom: alert channel ${this.name}: unserializable alert ${event?.rule} dropped`, error);
      this.drop('invalid', 1);
      return;
    }
    this.enqueue(line);
  }

  protected async attempt(batch: readonly string[]): Promise<DeliveryResult> {
    try {
      this.#write(batch[0] as string);
      return { status: 'success', rejected: 0 };
    } catch (error) {
      return { status: 'failure', error: error instanceof Error ? error : new Error(String(error)) };
    }
  }
}
