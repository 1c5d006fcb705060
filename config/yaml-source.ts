import type { Document, Node, YAMLError } from 'yaml';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { ConfigIssue } from '../errors.ts';
import { expandedSize, MAX_EXPANDED_VALUES } from './alias-expansion.ts';
import { withFlowReferenceHints } from './flow-reference-hint.ts';
import type { Anchor, ConfigPath, Position } from './location.ts';

/** One configuration file, parsed: its data, its problems, and a way back to its text. */
export interface YamlSource {
  readonly file: string;
  /** The parsed mapping; `{}` for an empty file or when the file could not be parsed. */
  readonly value: unknown;
  /** Every syntax problem in the file (all of them, not only the first). */
  readonly issues: readonly ConfigIssue[];
  /** Position of the node at `path`, or of its deepest existing ancestor; `undefined` for an empty file. */
  locate(path: ConfigPath, anchor?: Anchor): Position | undefined;
  /** True when the scalar at `path` was written quoted or as a block scalar, so it is meant as text. */
  isQuoted(path: ConfigPath): boolean;
}

interface Found {
  /** The node reached; `null` for an empty document. */
  readonly node: unknown;
  /** The key of the mapping entry reached, when the last step was through a mapping. */
  readonly key: Node | undefined;
  readonly complete: boolean;
}

/**
 * Parses one YAML file into plain data, collecting every syntax error (duplicate keys
 * included) as a located issue. The top level must be a mapping; an empty file or one of
 * only comments is `{}`. Never throws.
 * @example parseYamlSource('headroom.yaml', 'window: 1s\n').value // { window: '1s' }
 */
export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  // `<<` merge keys as YAML 1.1 defined them, which most YAML tools (and the Collector) accept.
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, merge: true });
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const issues = withFlowReferenceHints(
    file,
    text,
    doc.errors.map((error) => yamlIssue(file, doc, error, position)),
    position,
  );
  const value = issues.length === 0 ? toMapping(file, doc, issues, position) : {};
  return {
    file,
    value,
    issues,
    locate: (path, anchor = 'value') => nodePosition(find(doc, path), anchor, position),
    isQuoted: (path) => isQuotedScalar(find(doc, path)),
  };
}

function yamlIssue(
  file: string,
  doc: Document,
  error: YAMLError,
  position: (o: number) => Position,
): ConfigIssue {
  // prettyErrors appends " at line L, column C:" and a code frame; the issue carries those as fields.
  const message = error.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '');
  const key = error.code === 'DUPLICATE_KEY' ? keyTextAt(doc, error.pos[0]) : undefined;
  return {
    file,
    path: '',
    ...position(error.pos[0]),
    message: key === undefined ? message : `duplicate key "${key}": ${message.toLowerCase()}`,
  };
}

function keyTextAt(doc: Document, offset: number): string | undefined {
  let text: string | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) text = String(pair.key.value);
    },
  });
  return text;
}

function toMapping(
  file: string,
  doc: Document,
  issues: ConfigIssue[],
  position: (o: number) => Position,
): unknown {
  if (doc.contents === null) return {};
  const at = doc.contents.range ? position(doc.contents.range[0]) : {};
  if (!isMap(doc.contents)) {
    const found = isSeq(doc.contents) ? 'a list' : 'a single value';
    issues.push({
      file,
      path: '',
      ...at,
      message: `the top level must be a mapping of keys to values, got ${found}`,
    });
    return {};
  }
  if (expandedSize(doc) > MAX_EXPANDED_VALUES) {
    issues.push({ file, path: '', ...at, message: ALIAS_BOMB });
    return {};
  }
  try {
    // Our own bound above replaces yaml's alias count, which refuses linear reuse (100 aliases of one scalar).
    return doc.toJS({ maxAliasCount: -1 }) ?? {};
  } catch (error) {
    issues.push({ file, path: '', ...at, message: error instanceof Error ? error.message : String(error) });
    return {};
  }
}

const ALIAS_BOMB = `aliases expand to more than ${MAX_EXPANDED_VALUES} values (aliases of aliases multiply, as in a "billion laughs" file); reuse an anchor as often as you like, but do not nest aliases of aliases this deep`;

function find(doc: Document, path: ConfigPath): Found {
  let node: unknown = doc.contents;
  let key: Node | undefined;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    const next = step(node, segment);
    if (next === undefined) return { node, key, complete: false };
    ({ node, key } = next);
  }
  return { node, key, complete: true };
}

function step(node: unknown, segment: string | number): { node: unknown; key: Node | undefined } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && keyText(item.key) === String(segment));
    return pair ? { node: pair.value, key: pair.key as Node } : undefined;
  }
  if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
    return { node: node.items[segment], key: undefined };
  }
  return undefined;
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function nodePosition(found: Found, anchor: Anchor, position: (o: number) => Position): Position | undefined {
  // An ancestor stands in for a missing path: its key names the place to look.
  const preferKey = anchor === 'key' || !found.complete;
  const value = rangeStart(found.node);
  const key = rangeStart(found.key);
  const offset = preferKey ? (key ?? value) : (value ?? key);
  return offset === undefined ? undefined : position(offset);
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  // An empty value (`key:` with nothing after it) has a zero-width range; point at its key instead.
  if (!range || (isScalar(node) && node.value === null && range[0] === range[1])) return undefined;
  return range[0];
}

function isQuotedScalar(found: Found): boolean {
  return (
    found.complete && isScalar(found.node) && found.node.type !== undefined && found.node.type !== 'PLAIN'
  );
}
