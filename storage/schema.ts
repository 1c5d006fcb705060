/** The store's schema version (`PRAGMA user_version`) and the migrations that reach it. */
import type { DatabaseSync } from 'node:sqlite';

/**
 * Migrations by the version they produce: `MIGRATIONS[0]` takes an empty file to version 1.
 * Append only; a released migration never changes.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE records (
     kind TEXT NOT NULL,
     key TEXT NOT NULL,
     value TEXT NOT NULL,
     PRIMARY KEY (kind, key)
   ) WITHOUT ROWID`,
  // The forwarding queue (requests accepted and not yet delivered): rowids grow with arrival order.
  `CREATE TABLE queued_requests (
     id INTEGER PRIMARY KEY,
     signal TEXT NOT NULL,
     content_type TEXT NOT NULL,
     items INTEGER NOT NULL,
     body BLOB NOT NULL
   )`,
];

/** The schema version this Headroom writes; a store with a higher one is from a newer Headroom. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The schema version of `db`; 0 for an empty file. @throws when the file is not a database */
export function schemaVersionOf(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number };
  return row.user_version;
}

/** Runs the migrations `db` lacks, each in its own transaction with its version bump. */
export function migrate(db: DatabaseSync): void {
  for (let version = schemaVersionOf(db); version < SCHEMA_VERSION; version++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(MIGRATIONS[version] as string);
      db.exec(`PRAGMA user_version = ${version + 1}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
}

/** The columns of each table at {@link SCHEMA_VERSION}, in order. */
const TABLES: Readonly<Record<string, readonly string[]>> = {
  records: ['kind', 'key', 'value'],
  queued_requests: ['id', 'signal', 'content_type', 'items', 'body'],
};

/**
 * Why `db`'s tables are not those of {@link SCHEMA_VERSION} (a table missing, a view, other
 * columns: a file edited by hand or by another program), or `undefined` when they are.
 */
export function schemaProblem(db: DatabaseSync): string | undefined {
  const columnsOf = db.prepare(
    "SELECT p.name FROM sqlite_schema s, pragma_table_info(s.name) p WHERE s.type = 'table' AND s.name = ?",
  );
  for (const [table, columns] of Object.entries(TABLES)) {
    const found = columnsOf.all(table).map((row) => String(row.name));
    if (found.join() !== columns.join())
      return `table ${table} has columns (${found.join(', ')}), expected (${columns.join(', ')})`;
  }
  return undefined;
}
