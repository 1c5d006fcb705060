/**
 * Durable state (collector mode): where the SQLite store lives, how often state is checkpointed and
 * how long a start waits for another process's lock on it.
 */
import { z } from 'zod';
import { withUnitNames } from './unit-names.ts';
import { duration } from './units.ts';

export const storageSchema = withUnitNames(
  z.strictObject({
    path: z.string().min(1).optional().meta({
      description:
        'SQLite file holding durable state (collector mode; its directory is created). Omitted: state is kept in memory only.',
    }),
    checkpointInterval: duration({ minMs: 100, maxMs: 3_600_000 }).prefault('5s').meta({
      description: 'How often changed state is written to the store; one more checkpoint runs at shutdown.',
    }),
    lockTimeout: duration({ maxMs: 600_000 }).prefault('30s').meta({
      description:
        'How long a start waits for another process (an old one still draining) to release the store before exiting with HEADROOM_ERR_STORE_LOCKED.',
    }),
  }),
  { checkpointInterval: 'checkpointIntervalMs', lockTimeout: 'lockTimeoutMs' },
);
