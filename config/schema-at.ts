import type { z } from 'zod';

type Schema = z.core.$ZodType;

// Guards against self-referencing lazy schemas; real config trees are far shallower.
const MAX_UNWRAP_DEPTH = 32;

/**
 * The schemas that describe the value at `path` inside `schema`, found by walking objects,
 * records, arrays and tuples and looking through wrappers (optional, nullable, default,
 * prefault, nonoptional, catch, readonly, lazy, pipes and transforms). A union or an
 * intersection can give several. Empty when the path cannot be resolved.
 */
export function schemasAt(schema: Schema, path: readonly PropertyKey[]): Schema[] {
  return reach(schema, path).flatMap((candidate) => unwrap(candidate, 0, false));
}

/**
 * Option `index` of the union at `path` (as numbered in a zod `invalid_union` issue's
 * `errors`), so that a failed branch's issues can be read against that branch alone.
 */
export function unionOptionAt(
  schema: Schema,
  path: readonly PropertyKey[],
  index: number,
): Schema | undefined {
  for (const candidate of reach(schema, path).flatMap((c) => unwrap(c, 0, true))) {
    const def = (candidate as z.core.$ZodTypes)._zod.def;
    if (def.type === 'union') return def.options[index];
  }
  return undefined;
}

/** The child schemas at `path`, not yet looked through. */
function reach(schema: Schema, path: readonly PropertyKey[]): Schema[] {
  let current = [schema];
  for (const segment of path) {
    current = current.flatMap((candidate) =>
      unwrap(candidate, 0, false).flatMap((parent) => childOf(parent, segment) ?? []),
    );
  }
  return current;
}

/**
 * The keys a mapping at `path` may have: the shape of an object schema, or the enum or
 * literal keys of a record. `undefined` when the path cannot be resolved or any key goes.
 */
export function allowedKeysAt(schema: Schema, path: readonly PropertyKey[]): string[] | undefined {
  const candidates = schemasAt(schema, path);
  if (candidates.length === 0) return undefined;
  const keys = new Set<string>();
  for (const candidate of candidates) {
    const own = keysOf(candidate);
    if (own === undefined) return undefined;
    for (const key of own) keys.add(key);
  }
  return [...keys];
}

function keysOf(schema: Schema): string[] | undefined {
  const def = (schema as z.core.$ZodTypes)._zod.def;
  if (def.type === 'object') return Object.keys(def.shape);
  if (def.type === 'record') return literalValues(def.keyType);
  return [];
}

function literalValues(schema: Schema): string[] | undefined {
  const def = (schema as z.core.$ZodTypes)._zod.def;
  if (def.type === 'enum') return Object.values(def.entries).map(String);
  if (def.type === 'literal') return def.values.map(String);
  return undefined;
}

/** The structural schemas behind `schema`, with wrappers (and unions, unless kept) looked through. */
function unwrap(schema: Schema, depth: number, keepUnions: boolean): Schema[] {
  if (depth > MAX_UNWRAP_DEPTH) return [];
  const def = (schema as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'catch':
    case 'readonly':
      return unwrap(def.innerType, depth + 1, keepUnions);
    case 'lazy':
      return unwrap(def.getter(), depth + 1, keepUnions);
    case 'pipe':
      // Unknown keys are checked on the input side, unless it is a bare transform (preprocess).
      return unwrap(isTransform(def.in) ? def.out : def.in, depth + 1, keepUnions);
    case 'union':
      if (keepUnions) return [schema];
      return def.options.flatMap((option) => unwrap(option, depth + 1, keepUnions));
    case 'intersection':
      return [...unwrap(def.left, depth + 1, keepUnions), ...unwrap(def.right, depth + 1, keepUnions)];
    default:
      return [schema];
  }
}

/** The catchall of a loose object; a strict object's catchall is `never`, which describes nothing. */
function looseValues(catchall: Schema | undefined): Schema | undefined {
  return catchall && (catchall as z.core.$ZodTypes)._zod.def.type !== 'never' ? catchall : undefined;
}

function isTransform(schema: Schema): boolean {
  return (schema as z.core.$ZodTypes)._zod.def.type === 'transform';
}

function childOf(schema: Schema, segment: PropertyKey): Schema | undefined {
  const def = (schema as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case 'object':
      return typeof segment === 'string' ? (def.shape[segment] ?? looseValues(def.catchall)) : undefined;
    case 'record':
      return def.valueType;
    case 'array':
      return typeof segment === 'number' ? def.element : undefined;
    case 'tuple':
      return typeof segment === 'number' ? (def.items[segment] ?? def.rest ?? undefined) : undefined;
    default:
      return undefined;
  }
}
