/**
 * Durable state: restore from the store before the receiver accepts traffic, checkpoint what
 * changed every `storage.checkpointInterval` on the agent's clock and once more at shutdown. Each
 * durable component is a section (app/state/) with its record kinds; one checkpoint is one write
 * transaction of every section's changes. A checkpoint that cannot be written (disk full, store
 * unwritable) turns checkpoints off with one error log line; the agent keeps running on its memory.
 */
import type { StateStore, StoredRecord, TimerHandle } from '../agent/index.ts';
import { openSqliteStore } from '../storage/index.ts';
import { type DurableParts, durableSections } from './state/durable-sections.ts';
import type { SectionChanges, StateSection } from './state/state-section.ts';

/** Where checkpoints report: a pino logger in collector mode, `diag` in embedded mode. */
export interface StateLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Options of {@link StateCheckpoints.open}. */
export interface StateCheckpointsOptions {
  /** The store's file (see `storePathOf`). */
  readonly path: string;
  /** How long to wait for another process's lock, ms (`storage.lockTimeout`). */
  readonly lockTimeoutMs: number;
  /** Stops the wait for the lock (SIGTERM during a start): the open rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Caps the store's file, in pages: a write past it fails as on a full disk. @default no cap */
  readonly maxPageCount?: number;
}

/** How the last checkpoint of {@link StateCheckpoints.close} went, and how long it took. */
export interface FinalCheckpoint {
  /** `unchanged`: nothing to write; `off`: checkpoints were off already (a failed write, or closed). */
  readonly result: 'written' | 'unchanged' | 'failed' | 'off';
  readonly durationMs: number;
}

/** Checkpoint counters, for logs, tests and the benchmark. */
export interface CheckpointStats {
  /** Checkpoints written. */
  readonly written: number;
  /** false once a write failed: nothing more is written until a restart. */
  readonly enabled: boolean;
  /** Records upserted and deleted, over every checkpoint. */
  readonly records: number;
  /** Size of the values written (JSON text), characters (bytes for ASCII), over every checkpoint. */
  readonly bytes: number;
  /** Checkpoints that could not be written: the first turns checkpoints off. */
  readonly failed: number;
  /** How long the last checkpoint written took, ms; undefined before the first. */
  readonly lastDurationMs: number | undefined;
}

export class StateCheckpoints {
  readonly #store: StateStore;
  readonly #parts: DurableParts;
  readonly #sections: readonly StateSection[];
  readonly #logger: StateLogger;
  #timer: TimerHandle | undefined;
  #count = 0;
  #records = 0;
  #bytes = 0;
  #failed = 0;
  #lastDurationMs: number | undefined;
  #enabled = true;

  private constructor(store: StateStore, parts: DurableParts, logger: StateLogger) {
    this.#store = store;
    this.#parts = parts;
    this.#sections = durableSections(parts);
    this.#logger = logger;
  }

  /**
   * Opens the store at `options.path` (waiting for its lock on the agent's clock) and restores the
   * parts' state from it (windows, degradation, SLO histories, alert instances, the service
   * directory: those given). Call before the receiver starts and before the first tick.
   * @throws {StoreLockedError} when another process holds the store past `lockTimeoutMs`
   * @throws the signal's reason when `options.signal` aborts the wait
   */
  static async open(
    options: StateCheckpointsOptions,
    parts: DurableParts,
    logger: StateLogger,
  ): Promise<StateCheckpoints> {
    const { path, lockTimeoutMs, signal, maxPageCount } = options;
    const store = await openSqliteStore({
      path,
      lockTimeoutMs,
      signal,
      maxPageCount,
      clock: parts.agent.clock,
      onWait: (message) => logger.info({ path }, message),
      onWarning: (message) => logger.error({ path }, message),
    });
    const checkpoints = new StateCheckpoints(store, parts, logger);
    checkpoints.#restore();
    return checkpoints;
  }

  /** Checkpoints every `intervalMs` on the agent's clock until {@link close}. */
  start(intervalMs: number): void {
    this.#timer ??= this.#parts.agent.clock.every(intervalMs, () => this.checkpoint());
  }

  /** The open store (the forwarding queue keeps its requests in it too). */
  get store(): StateStore {
    return this.#store;
  }

  get stats(): CheckpointStats {
    return {
      written: this.#count,
      enabled: this.#enabled,
      records: this.#records,
      bytes: this.#bytes,
      failed: this.#failed,
      lastDurationMs: this.#lastDurationMs,
    };
  }

  /**
   * Writes what changed since the last checkpoint, in one transaction; false when nothing could be
   * written. Window slots still filling wait for the next checkpoint, unless `final`. Never throws.
   */
  checkpoint(final = false): boolean {
    if (!this.#enabled) return false;
    const moment = { nowMs: this.#parts.agent.clock.now(), final };
    let changes: SectionChanges[];
    try {
      changes = this.#sections.map((section) => section.changes(moment));
      const upserts = changes.flatMap((change) => change.upserts);
      const deletes = changes.flatMap((change) => change.deletes);
      if (upserts.length === 0 && deletes.length === 0) return true;
      const startedMs = performance.now();
      this.#bytes += this.#store.write({ upserts, deletes });
      this.#lastDurationMs = performance.now() - startedMs;
      this.#records += upserts.length + deletes.length;
    } catch (error) {
      this.#enabled = false;
      this.#failed++;
      this.#logger.error(
        { err: error, path: this.#store.path },
        `state store ${this.#store.path} cannot be written (${(error as Error).message}): checkpoints off until a restart`,
      );
      return false;
    }
    for (const change of changes) change.commit();
    this.#count++;
    return true;
  }

  /**
   * Stops the timer, writes a last (final) checkpoint and releases the store (and its lock).
   * Idempotent (a second close reports `off`). Never throws.
   */
  close(): FinalCheckpoint {
    this.#timer?.cancel();
    this.#timer = undefined;
    const startedMs = performance.now();
    const before = this.#count;
    let result: FinalCheckpoint['result'] = 'off';
    if (this.#enabled)
      result = !this.checkpoint(true) ? 'failed' : this.#count > before ? 'written' : 'unchanged';
    const durationMs = performance.now() - startedMs;
    this.#store.close();
    this.#enabled = false;
    return { result, durationMs };
  }

  #restore(): void {
    const nowMs = this.#parts.agent.clock.now();
    const counts: string[] = [];
    let dropped = 0;
    for (const section of this.#sections) {
      const records = new Map<string, readonly StoredRecord[]>();
      for (const kind of section.kinds) records.set(kind, this.#store.read(kind));
      const result = section.restore(records, nowMs);
      counts.push(`${result.restored} ${section.name}`);
      dropped += result.dropped;
    }
    this.#logger.info(
      { path: this.#store.path, dropped },
      `state restored from ${this.#store.path}: ${counts.join(', ')}${dropped > 0 ? ` (${dropped} stale or unreadable records dropped)` : ''}`,
    );
  }
}
