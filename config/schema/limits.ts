/**
 * Limits on what the agent keeps from the telemetry it receives: the length of every name, the
 * number of distinct values of every dimension of a series, and how long an idle series or service
 * is kept. They apply to Headroom's own state and exports; forwarded telemetry is untouched.
 */
import { z } from 'zod';
import { withUnitNames } from './unit-names.ts';
import { duration } from './units.ts';

const count = (fallback: number, description: string) =>
  z.number().int().min(1).default(fallback).meta({ description });

export const limitsSchema = withUnitNames(
  z.strictObject({
    nameLength: z.number().int().min(16).max(65_536).default(256).meta({
      description:
        'Longest namespace, service, operation, context or phase name kept, in characters (UTF-16 code units); longer names are truncated and counted.',
    }),
    namespaces: count(100, 'Most distinct service.namespace values; spans of a new one beyond are refused.'),
    services: count(
      1000,
      'Most services (the collector service directory and the series); spans of a new one beyond are refused.',
    ),
    operations: count(
      200,
      'Most operations per service; the samples of others go to operation "__overflow__".',
    ),
    phases: count(16, 'Most phases per operation; the samples of others go to phase "__overflow__".'),
    idleTime: duration({ minMs: 1000 }).prefault('5m').meta({
      description:
        'A series without a sample for this long is evicted; a service idle this long at NONE, without override or firing alert, is forgotten. At least window.length.',
    }),
  }),
  { idleTime: 'idleTimeMs' },
);
