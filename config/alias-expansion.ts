import type { Alias, Document, Node } from 'yaml';
import { isAlias, isCollection, isPair, visit } from 'yaml';

/**
 * Most values a file may expand to once its aliases are followed. Reuse is linear (1000
 * aliases of one scalar are 1000 values); nesting aliases of aliases multiplies, and a
 * "billion laughs" file of 9 levels of 10 expands to 10^9. Real configurations are a few
 * thousand values; everything read after parsing walks the expanded tree.
 */
export const MAX_EXPANDED_VALUES = 100_000;

/**
 * How many values `doc` holds with every alias expanded, counting up to just past `limit`
 * (each anchored node is measured once, so this is linear in the size of the text).
 */
export function expandedSize(doc: Document, limit = MAX_EXPANDED_VALUES): number {
  const sources = aliasSources(doc);
  const sizes = new Map<unknown, number>();
  const size = (node: unknown): number => {
    if (isAlias(node)) {
      const source = sources.get(node);
      return source === undefined ? 1 : measured(source);
    }
    if (isPair(node)) return Math.min(limit + 1, size(node.key) + size(node.value));
    if (!isCollection(node)) return 1;
    let total = 1;
    for (const item of node.items) {
      total += size(item);
      if (total > limit) return limit + 1;
    }
    return total;
  };
  const measured = (node: unknown): number => {
    let known = sizes.get(node);
    if (known === undefined) {
      // A self-referencing anchor is cut here; yaml reports it on its own.
      sizes.set(node, 1);
      known = size(node);
      sizes.set(node, known);
    }
    return known;
  };
  return size(doc.contents);
}

/** What each alias refers to: the last node with its anchor before it, in one pass. */
function aliasSources(doc: Document): Map<Alias, Node> {
  const anchors = new Map<string, Node>();
  const sources = new Map<Alias, Node>();
  visit(doc, {
    Node(_, node) {
      if (isAlias(node)) {
        const source = anchors.get(node.source);
        if (source !== undefined) sources.set(node, source);
      } else if (node.anchor !== undefined) anchors.set(node.anchor, node);
    },
  });
  return sources;
}
