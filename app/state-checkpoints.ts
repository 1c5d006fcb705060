/**
 * Durable state in collector mode: restore from the store before the receiver accepts traffic,
 * checkpoint what changed every `storage.checkpointInterval` on the agent's clock and once more at
 * shutdown. A checkpoint that cannot be written (disk full, store unwritable) turns checkpoints off
 * with one error log line; the agent keeps running on its memory.
 */
import type { Agent, StateStore, StoredRecord, TimerHandle } from '../agent/index.ts';
import type { ResolvedConfig } from '../config/index.ts';
import { openSqliteStore } from '../storage/index.ts';
import type { Logger } from './logging.ts';

/** The record kind of a service's degradation state (key: the service key). */
const DEGRADATION = 'degradation';

/** Checkpoint counters, for logs and tests. */
export interface CheckpointStats {
  /** Checkpoints written. */
  readonly written: number;
  /** false once a write failed: nothing more is written until a restart. */
  readonly enabled: boolean;
}

export class StateCheckpoints {
  readonly #store: StateStore;
  readonly #agent: Agent;
  readonly #logger: Logger;
  /** What the store holds, as last written: key -> JSON. */
  readonly #written = new Map<string, string>();
  #timer: TimerHandle | undefined;
  #count = 0;
  #enabled = true;

  private constructor(store: StateStore, agent: Agent, logger: Logger) {
    this.#store = store;
    this.#agent = agent;
    this.#logger = logger;
  }

  /**
   * Opens `config.storage.path` (when set) and restores the agent's state from it; `undefined`
   * when no store is configured. Call before the receiver starts.
   * @throws {StoreLockedError} when another process holds the store past `storage.lockTimeout`
   */
  static async open(
    config: ResolvedConfig,
    agent: Agent,
    logger: Logger,
  ): Promise<StateCheckpoints | undefined> {
    const { path, lockTimeoutMs } = config.storage;
    if (path === undefined) return undefined;
    const store = await openSqliteStore({
      path,
      lockTimeoutMs,
      nowMs: agent.clock.now(),
      onWarning: (message) => logger.error({ path }, message),
    });
    const checkpoints = new StateCheckpoints(store, agent, logger);
    checkpoints.#restore();
    return checkpoints;
  }

  /** Checkpoints every `intervalMs` on the agent's clock until {@link close}. */
  start(intervalMs: number): void {
    this.#timer ??= this.#agent.clock.every(intervalMs, () => this.checkpoint());
  }

  get stats(): CheckpointStats {
    return { written: this.#count, enabled: this.#enabled };
  }

  /** Writes what changed since the last checkpoint; false when nothing could be written. Never throws. */
  checkpoint(): boolean {
    if (!this.#enabled) return false;
    const current = new Map<string, string>();
    for (const [key, snapshot] of this.#agent.degradationSnapshots())
      current.set(key, JSON.stringify(snapshot));
    const upserts: StoredRecord[] = [];
    for (const [key, json] of current)
      if (this.#written.get(key) !== json) upserts.push({ kind: DEGRADATION, key, value: JSON.parse(json) });
    const deletes = [...this.#written.keys()]
      .filter((key) => !current.has(key))
      .map((key) => ({ kind: DEGRADATION, key }));
    if (upserts.length === 0 && deletes.length === 0) return true;
    try {
      this.#store.write({ upserts, deletes });
    } catch (error) {
      this.#enabled = false;
      this.#logger.error(
        { err: error, path: this.#store.path },
        `state store ${this.#store.path} cannot be written (${(error as Error).message}): checkpoints off until a restart`,
      );
      return false;
    }
    this.#written.clear();
    for (const [key, json] of current) this.#written.set(key, json);
    this.#count++;
    return true;
  }

  /** Stops the timer, writes a last checkpoint and releases the store (and its lock). Idempotent. */
  close(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.checkpoint();
    this.#store.close();
    this.#enabled = false;
  }

  #restore(): void {
    const records = this.#store.read(DEGRADATION);
    const { restored, dropped } = this.#agent.restoreDegradation(records.map((record) => record.value));
    for (const record of records) this.#written.set(record.key, JSON.stringify(record.value));
    this.#logger.info(
      { path: this.#store.path, restored, dropped },
      `state restored from ${this.#store.path}: ${restored} services' degradation state${dropped > 0 ? ` (${dropped} unreadable dropped)` : ''}`,
    );
  }
}
