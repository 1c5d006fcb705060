/** Loads node:sqlite on first use, keeping its ExperimentalWarning (Node 22) out of the logs. */

/**
 * `import('node:sqlite')` with the one "SQLite is an experimental feature" warning of older Node
 * versions swallowed; every other warning passes through.
 */
export async function loadSqlite(): Promise<typeof import('node:sqlite')> {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/SQLite is an experimental feature/i.test(text)) return;
    (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return await import('node:sqlite');
  } finally {
    process.emitWarning = emit;
  }
}
