/** Small helpers over the plain-data tree that YAML parses into. */

/** A YAML mapping after parsing: a plain object, not a list and not null. */
export type Mapping = Record<string, unknown>;

/** True for a plain object (a YAML mapping); false for lists, null and scalars. */
export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `path`, or `undefined` when any step of the path is missing. */
export function valueAt(tree: unknown, path: readonly PropertyKey[]): unknown {
  let node = tree;
  for (const segment of path) {
    if (Array.isArray(node) && typeof segment === 'number') node = node[segment];
    else if (isMapping(node) && typeof segment !== 'symbol' && Object.hasOwn(node, segment)) {
      node = node[String(segment)];
    } else return undefined;
  }
  return node;
}
