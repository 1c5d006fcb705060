/** A value whose objects and arrays are frozen all the way down. */
export type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * Freezes `value` and everything reachable from it, in place, and gives each plain object a null
 * prototype; returns it typed read-only. Configuration records are keyed by names users and
 * senders choose (contexts, phases, features, modifiers, span attributes naming them): with a null
 * prototype, a lookup such as `contexts['toString']` or `phases['__proto__']` finds nothing instead
 * of a member of `Object.prototype`.
 */
export function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    if (Object.getPrototypeOf(value) === Object.prototype) Object.setPrototypeOf(value, null);
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value as DeepReadonly<T>;
}
