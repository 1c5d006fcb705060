/**
 * Paths into a configuration tree and where they sit in the YAML a user wrote.
 * Shared by the YAML reader, the merger and the issue mapper.
 */

/** A path into the config tree: mapping keys and list indices, outermost first. */
export type ConfigPath = readonly (string | number)[];

/** A 1-based position in a file, as editors and compilers print it. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/**
 * Which part of a mapping entry to point at: its key (best for "unknown key") or its value
 * (best for "wrong value"). A list item has no key, so both point at the item.
 */
export type Anchor = 'key' | 'value';

/** A file and, when known, the position in it. */
export interface Location {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

/** Finds where `path` came from; falls back to the deepest ancestor that exists. */
export type Locate = (path: ConfigPath, anchor?: Anchor) => Location;

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/**
 * Renders a path the way a user would write it: dotted keys, `[2]` for list indices, and
 * `["GET /users"]` for keys that are not plain identifiers.
 * @example formatPath(['rules', 2, 'match']) // 'rules[2].match'
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'symbol') out += `[${String(segment)}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
