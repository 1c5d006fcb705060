/**
 * Durable state: whether and where the SQLite store lives (collector mode: `data/headroom.db` by
 * default; embedded mode: only with `path`), how often state is checkpointed and how long a start
 * waits for another process's lock on it.
 */
import { z } from 'zod';
import { withUnitNames } from './unit-names.ts';
import { duration } from './units.ts';

export const storageSchema = withUnitNames(
  z.strictObject({
    enabled: z.boolean().default(true).meta({
      description: 'false: state is kept in memory only, in both modes, and lost at a restart.',
    }),
    path: z.string().min(1).optional().meta({
      description:
        'SQLite file holding durable state (its directory is created; relative to the working directory). Omitted: data/headroom.db in collector mode; memory only in embedded mode.',
    }),
    checkpointInterval: duration({ minMs: 100, maxMs: 3_600_000 }).prefault('5s').meta({
      description: 'How often changed state is written to the store; one more checkpoint runs at shutdown.',
    }),
    lockTimeout: duration({ maxMs: 600_000 }).prefault('30s').meta({
      description:
        'How long a start waits for another process (an old one still draining) to release the store (the event loop keeps running): then collector mode exits with HEADROOM_ERR_STORE_LOCKED and embedded mode runs in memory.',
    }),
  }),
  { checkpointInterval: 'checkpointIntervalMs', lockTimeout: 'lockTimeoutMs' },
);
