/**
 * The process lifecycle, in both modes: how long a shutdown may take before what is still queued
 * is given up (and counted as dropped).
 */
import { z } from 'zod';
import { withUnitNames } from './unit-names.ts';
import { duration } from './units.ts';

export const shutdownSchema = withUnitNames(
  z.strictObject({
    timeout: duration({ maxMs: 600_000 }).prefault('10s').meta({
      description:
        'Bound of a shutdown (SIGTERM/SIGINT in collector mode, headroom.shutdown() embedded); what is not delivered by then is counted as dropped.',
    }),
  }),
  { timeout: 'timeoutMs' },
);
