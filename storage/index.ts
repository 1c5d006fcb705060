// Public face of storage/: the SQLite state store (node:sqlite is loaded on first open, never on import).
export { exportStoredState } from './export-state.ts';
export { openSqliteStore, sqliteCode } from './sqlite-store.ts';
