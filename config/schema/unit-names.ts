/**
 * Units in the names of the parsed config: YAML keeps the words a user writes (`timeout: 10s`,
 * `maxBodySize: 4MiB`), the code that reads the parsed value sees the unit (`timeoutMs: 10000`,
 * `maxBodyBytes: 4194304`). The rename runs after the object is valid, so validation, error paths
 * and the JSON Schema (`io: 'input'`) keep the YAML names.
 */
import type { z } from 'zod';

/** YAML key -> parsed name, e.g. `{ timeout: 'timeoutMs' }`. */
type UnitNames<T> = { readonly [K in keyof T]?: string };

/** `T` with the keys in `M` renamed; distributes over unions. */
export type WithUnitNames<T, M> = T extends unknown
  ? { [K in keyof T as K extends keyof M ? (M[K] extends string ? M[K] : K) : K]: T[K] }
  : never;

/**
 * `schema` whose parsed value has the keys in `names` renamed (key order kept).
 * @example withUnitNames(z.strictObject({ timeout: duration() }), { timeout: 'timeoutMs' })
 */
export function withUnitNames<S extends z.ZodType<object>, const M extends UnitNames<z.output<S>>>(
  schema: S,
  names: M,
) {
  return schema.transform(
    (value) => renameKeys(value as Record<string, unknown>, names) as WithUnitNames<z.output<S>, M>,
  );
}

function renameKeys(value: Record<string, unknown>, names: Readonly<Record<string, string | undefined>>) {
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [Object.hasOwn(names, key) ? (names[key] ?? key) : key, item]),
  );
}
