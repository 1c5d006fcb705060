/**
 * A deliberately small PromQL reader for tests: the metric names an expression reads, and the
 * label names each selector matches on. Enough for the expressions the generators write.
 */

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'sum',
  'max',
  'min',
  'avg',
  'count',
  'rate',
  'increase',
  'histogram_quantile',
  'sum_over_time',
  'count_over_time',
  'vector',
  'round',
]);

/** One `metric{matchers}` of an expression. */
export interface Selector {
  readonly metric: string;
  readonly labels: readonly string[];
}

/** Every `metric{...}` selector of `expr`, with the label names it matches on. */
export function selectors(expr: string): Selector[] {
  return [...expr.matchAll(/([a-zA-Z_:][\w:]*)\s*\{((?:[^}"]|"(?:[^"\\]|\\.)*")*)\}/g)].map((match) => ({
    metric: match[1] as string,
    labels: [...(match[2] as string).matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1] as string),
  }));
}

/** Every metric name `expr` reads, with or without a selector. */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const names = [...bare.matchAll(/[a-zA-Z_:][\w:]*/g)].map((match) => match[0]);
  return [...new Set(names.filter((name) => !KEYWORDS.has(name)))];
}
