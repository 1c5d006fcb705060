import type { Anchor, ConfigPath, Locate, Location, Position } from './location.ts';
import type { Mapping } from './tree.ts';
import { isMapping } from './tree.ts';

/** One source's data and the way back to its text; a {@link YamlSource} after env substitution fits. */
export interface LocatedValue {
  readonly file: string;
  readonly value: unknown;
  locate(path: ConfigPath, anchor?: Anchor): Position | undefined;
}

/** The merged data and, for any path, the file and position that supplied its final value. */
export interface MergedSources {
  readonly value: unknown;
  readonly locate: Locate;
}

/** Which source supplied a node; `children` only where several sources were merged into a mapping. */
interface Origin {
  readonly source: number;
  readonly children?: ReadonlyMap<string, Origin>;
}

/** The file named when no source supplies a path (no files at all: defaults only). */
export const DEFAULTS_FILE = '<defaults>';

/**
 * Merges sources in order, later ones winning: mappings merge key by key at every depth,
 * lists and scalars replace whatever was there. Inputs are not modified. `locate(path)` asks
 * the source that supplied the final value at `path` (or at its deepest existing ancestor),
 * so an error is reported in the file that caused it.
 * @example mergeSources([base, prod]).locate(['exporters', 'prometheus', 'port'])
 */
export function mergeSources(sources: readonly LocatedValue[]): MergedSources {
  let merged: Merged = { value: {}, origin: { source: -1 } };
  sources.forEach((source, index) => {
    merged =
      index === 0 ? { value: source.value, origin: { source: 0 } } : mergeValue(merged, source.value, index);
  });
  const { value, origin } = merged;
  return { value, locate: (path, anchor) => locateIn(sources, originAt(origin, path), path, anchor) };
}

interface Merged {
  readonly value: unknown;
  readonly origin: Origin;
}

function mergeValue(base: Merged, next: unknown, source: number): Merged {
  if (!isMapping(base.value) || !isMapping(next)) return { value: next, origin: { source } };
  const values = new Map(Object.entries(base.value));
  const children = new Map<string, Origin>();
  for (const key of values.keys()) children.set(key, childOrigin(base.origin, key));
  for (const [key, item] of Object.entries(next)) {
    const previous = { value: values.get(key), origin: childOrigin(base.origin, key) };
    const result = values.has(key) ? mergeValue(previous, item, source) : { value: item, origin: { source } };
    values.set(key, result.value);
    children.set(key, result.origin);
  }
  // fromEntries defines keys, so a YAML key named "__proto__" stays data instead of a prototype.
  return { value: Object.fromEntries(values) as Mapping, origin: { source, children } };
}

function childOrigin(origin: Origin, key: string): Origin {
  return origin.children?.get(key) ?? { source: origin.source };
}

function originAt(root: Origin, path: ConfigPath): Origin {
  let origin = root;
  for (const segment of path) {
    const child = origin.children?.get(String(segment));
    if (child === undefined) break;
    origin = child;
  }
  return origin;
}

function locateIn(
  sources: readonly LocatedValue[],
  origin: Origin,
  path: ConfigPath,
  anchor?: Anchor,
): Location {
  const source = sources[origin.source];
  if (source === undefined) return { file: DEFAULTS_FILE };
  return { file: source.file, ...source.locate(path, anchor) };
}
