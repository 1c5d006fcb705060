/**
 * The generic part of checkpoints: each durable component is a {@link StateSection} owning one or
 * more record kinds. At start it takes back what the store holds; at each checkpoint it says what
 * changed since the last one written (upserts and deletes), and is told once that was committed.
 * {@link KeyedRecords} is the diff most sections use: the records as they are now, compared with
 * what was last written, by key.
 */
import type { Checkpoint, StoredRecord } from '../../agent/index.ts';

/** What a restore did: records taken back, and records dropped as unreadable or stale. */
export interface SectionRestore {
  readonly restored: number;
  readonly dropped: number;
}

/** One section's part of a checkpoint; `commit()` once the store has it. */
export interface SectionChanges extends Checkpoint {
  commit(): void;
}

/** When a checkpoint is taken. */
export interface CheckpointMoment {
  /** The agent's time, ms since the epoch. */
  readonly nowMs: number;
  /** The last checkpoint before shutdown: write what is still filling too (window slots). */
  readonly final: boolean;
}

/** A durable component's records: what it restores at start and what each checkpoint changes. */
export interface StateSection {
  /** What it holds, for the restore log line, e.g. `SLO histories`. */
  readonly name: string;
  /** Its record kinds, read back at start in this order. */
  readonly kinds: readonly string[];
  /** Takes back the stored records of its kinds (by kind). Never throws. */
  restore(records: ReadonlyMap<string, readonly StoredRecord[]>, nowMs: number): SectionRestore;
  /** What changed since the last committed checkpoint (or the restore). */
  changes(moment: CheckpointMoment): SectionChanges;
}

/** No change. */
const NO_CHANGES: SectionChanges = { upserts: [], deletes: [], commit: () => {} };

/**
 * The records of one kind as last written, by key (as JSON): {@link diff} returns the records that
 * differ from it and the keys gone. A record never changes unless its value does.
 */
export class KeyedRecords {
  readonly kind: string;
  readonly #written = new Map<string, string>();

  constructor(kind: string) {
    this.kind = kind;
  }

  /** Takes what the store holds as written (at restore). */
  remember(records: readonly StoredRecord[]): void {
    for (const record of records) this.#written.set(record.key, JSON.stringify(record.value));
  }

  /** The upserts and deletes that turn what was written into `current`. */
  diff(current: Iterable<readonly [key: string, value: unknown]>): SectionChanges {
    const now = new Map<string, string>();
    const upserts: StoredRecord[] = [];
    for (const [key, value] of current) {
      const json = JSON.stringify(value);
      now.set(key, json);
      if (this.#written.get(key) !== json) upserts.push({ kind: this.kind, key, value });
    }
    const deletes = [...this.#written.keys()]
      .filter((key) => !now.has(key))
      .map((key) => ({ kind: this.kind, key }));
    if (upserts.length === 0 && deletes.length === 0) return NO_CHANGES;
    return {
      upserts,
      deletes,
      commit: () => {
        this.#written.clear();
        for (const [key, json] of now) this.#written.set(key, json);
      },
    };
  }
}

/**
 * A section of one kind whose records are small and rewritten whole when they change: the
 * current records come from `entries()`, the stored ones go back through `restore(values)`.
 */
export function keyedSection(options: {
  readonly name: string;
  readonly kind: string;
  readonly entries: () => Iterable<readonly [key: string, value: unknown]>;
  readonly restore: (values: readonly unknown[], nowMs: number) => SectionRestore;
}): StateSection {
  const written = new KeyedRecords(options.kind);
  return {
    name: options.name,
    kinds: [options.kind],
    restore(records, nowMs) {
      const stored = records.get(options.kind) ?? [];
      written.remember(stored);
      return options.restore(
        stored.map((record) => record.value),
        nowMs,
      );
    },
    changes: () => written.diff(options.entries()),
  };
}
