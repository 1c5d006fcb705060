/**
 * Units a platform team writes in YAML: durations (`50ms`, `1.5s`, `1h30m`), percentages (`20%`)
 * and sizes (`4MiB`). Each is a string in the file and a number in the parsed config, with the
 * unit in the field name of the code that reads it.
 */
import { z } from 'zod';

const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
  us: 0.001,
  µs: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const DURATION_PART = /(\d+(?:\.\d+)?)(us|µs|ms|s|m|h|d|w)/y;
const DURATION_HINT = 'a duration such as 50ms, 1.5s, 2m, 1h30m or 30d (units us, ms, s, m, h, d, w)';

/** Parses `50ms`, `1.5s`, `1h30m` into milliseconds; `undefined` when the text is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < trimmed.length) {
    const match = DURATION_PART.exec(trimmed);
    if (match === null) return undefined;
    total += Number(match[1]) * (DURATION_UNITS_MS[match[2] as string] as number);
  }
  return total;
}

/** Bounds for a duration field, in milliseconds. */
export interface DurationBounds {
  /** Smallest allowed value; 0 allows zero. @default exclusive 0 (must be positive) */
  minMs?: number;
  maxMs?: number;
}

/** A duration string in YAML, milliseconds once parsed. */
export function duration(bounds: DurationBounds = {}) {
  return z
    .string({ error: (issue) => `expected ${DURATION_HINT}, got ${describe(issue.input)}` })
    .transform((text, ctx) => {
      const ms = parseDurationMs(text);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected ${DURATION_HINT}, got "${text}"` });
        return z.NEVER;
      }
      const problem = outOfBounds(ms, bounds);
      if (problem !== undefined) {
        ctx.addIssue({ code: 'custom', message: `${problem}, got "${text}"` });
        return z.NEVER;
      }
      return ms;
    })
    .meta({ description: DURATION_HINT });
}

function outOfBounds(ms: number, { minMs, maxMs }: DurationBounds): string | undefined {
  if (minMs === undefined && ms <= 0) return 'must be a positive duration';
  if (minMs !== undefined && ms < minMs) return `must be at least ${formatMs(minMs)}`;
  if (maxMs !== undefined && ms > maxMs) return `must be at most ${formatMs(maxMs)}`;
  return undefined;
}

/** Renders milliseconds the way a user would write them: `50ms`, `1s`, `30s`, `5m`. */
export function formatMs(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/**
 * A measured duration in one style for messages, rounded to what a reader can use: `0.042ms`,
 * `59.7ms`, `5s` (for 5001 ms), `1.5s`, `1m30s`, `1h`. The output is a valid config duration.
 * @example formatDuration(5001) // '5s'
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1) return `${Number(ms.toPrecision(2))}ms`;
  if (Math.round(ms * 10) / 10 < 1000) return `${Number(ms.toFixed(1))}ms`;
  if (Math.round(ms / 100) / 10 < 60) return `${Number((ms / 1000).toFixed(1))}s`;
  const seconds = Math.round(ms / 1000);
  const parts: [number, string][] = [
    [Math.floor(seconds / 3600), 'h'],
    [Math.floor(seconds / 60) % 60, 'm'],
    [seconds % 60, 's'],
  ];
  return parts
    .filter(([amount]) => amount > 0)
    .map(([amount, unit]) => `${amount}${unit}`)
    .join('');
}

const PERCENT = /^(\d+(?:\.\d+)?)\s*%$/;

/** A percentage string (`20%`) in YAML, a fraction (0.2) once parsed; 0 % and 100 % inclusive. */
export function percent(options: { max?: number } = {}) {
  const maxPercent = options.max ?? 100;
  const hint = `a percentage from 0% to ${maxPercent}%, such as 20%`;
  return z
    .string({ error: (issue) => `expected ${hint}, got ${describe(issue.input)}` })
    .transform((text, ctx) => {
      const match = PERCENT.exec(text.trim());
      const value = match === null ? Number.NaN : Number(match[1]);
      if (!(value >= 0 && value <= maxPercent)) {
        ctx.addIssue({ code: 'custom', message: `expected ${hint}, got "${text}"` });
        return z.NEVER;
      }
      return value / 100;
    })
    .meta({ description: hint });
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};
const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)$/;

/** A size string (`4MiB`, `512KiB`) in YAML, bytes once parsed. */
export function size() {
  const hint = 'a size such as 512KiB or 4MiB (units B, KB, MB, GB, KiB, MiB, GiB)';
  return z
    .string({ error: (issue) => `expected ${hint}, got ${describe(issue.input)}` })
    .transform((text, ctx) => {
      const match = SIZE.exec(text.trim());
      if (match === null || Number(match[1]) <= 0) {
        ctx.addIssue({ code: 'custom', message: `expected ${hint}, got "${text}"` });
        return z.NEVER;
      }
      return Math.floor(Number(match[1]) * (SIZE_UNITS[match[2] as string] as number));
    })
    .meta({ description: hint });
}

/** The percentiles a budget can be judged at. */
export const PERCENTILES = ['p50', 'p90', 'p95', 'p99', 'p99.9'] as const;

/** A percentile name: one of {@link PERCENTILES}. */
export const percentile = z.enum(PERCENTILES, {
  error: (issue) => `must be one of ${PERCENTILES.join(', ')}; got ${describe(issue.input)}`,
});

/** A TCP port, 0 meaning "any free port" (tests use it). */
export const port = z
  .number({ error: (issue) => `expected a port number from 0 to 65535, got ${describe(issue.input)}` })
  .int()
  .min(0)
  .max(65535);

/** A short description of a found value for error messages: `string "abc"`, `number 3`, `a list`. */
function describe(input: unknown): string {
  if (input === undefined) return 'nothing (the key is missing)';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'string') return `string "${input}"`;
  return `${typeof input} ${String(input)}`;
}

/**
 * Options for a cross-field `superRefine` that runs even when other parts of the same object are
 * invalid (zod skips it by default), as long as the fields it compares are valid: every problem in
 * a file is reported at once.
 */
export function whenValid(...fields: string[]): { when: (payload: z.core.ParsePayload) => boolean } {
  return {
    when: (payload) => !payload.issues.some((issue) => fields.includes(String(issue.path?.[0]))),
  };
}
