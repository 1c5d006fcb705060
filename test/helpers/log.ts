import { createJsonLogger, type Logger } from '../../app/logging.ts';

/** One parsed JSON log line. */
export interface LogRecord {
  readonly level: string;
  readonly time: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** A JSON-lines logger writing into memory; `records()` parses every line written so far. */
export function memoryLogger(env: Record<string, string> = {}): {
  logger: Logger;
  records: () => LogRecord[];
  messages: () => string[];
} {
  const lines: string[] = [];
  const { logger } = createJsonLogger({ env, destination: { write: (line) => void lines.push(line) } });
  const records = () => lines.map((line) => JSON.parse(line) as LogRecord);
  return { logger, records, messages: () => records().map((record) => record.msg) };
}
