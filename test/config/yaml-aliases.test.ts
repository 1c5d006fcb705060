import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { expandedSize } from '../../config/alias-expansion.ts';
import { parseConfig } from '../../config/index.ts';
import { parseYamlSource } from '../../config/yaml-source.ts';

const BOMB_MESSAGE =
  'aliases expand to more than 100000 values (aliases of aliases multiply, as in a "billion laughs" file); reuse an anchor as often as you like, but do not nest aliases of aliases this deep';

/** `count` list items, each an alias of one scalar. */
function reuse(count: number): string {
  return `base: &b 50ms\nlist:\n${'  - *b\n'.repeat(count)}`;
}

/** `levels` levels of lists of `width` aliases of the level below, the "billion laughs" shape. */
function laughs(levels: number, width = 10): string {
  const lines = ['a0: &a0 lol'];
  for (let i = 1; i <= levels; i++)
    lines.push(
      `a${i}: &a${i} [${Array(width)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\n`;
}

describe('YAML aliases', () => {
  it('should accept linear reuse of one scalar, 99, 100 and 1000 times', () => {
    for (const count of [99, 100, 1000]) {
      const source = parseYamlSource('a.yaml', reuse(count));
      expect(source.issues).toEqual([]);
      expect(source.value).toEqual({ base: '50ms', list: Array(count).fill('50ms') });
    }
  });

  it('should accept nested aliases while the expansion stays under 100000 values', () => {
    const source = parseYamlSource('a.yaml', laughs(4)); // 10^4 leaves
    expect(source.issues).toEqual([]);
    expect(JSON.stringify(source.value).split('lol').length - 1).toBe(1 + 10 + 100 + 1000 + 10_000);
  });

  it('should refuse exponential expansion with one clear issue, before expanding it', () => {
    for (const text of [laughs(9), laughs(5)]) {
      const source = parseYamlSource('bomb.yaml', text);
      expect(source.issues).toEqual([
        { file: 'bomb.yaml', path: '', line: 1, column: 1, message: BOMB_MESSAGE },
      ]);
      expect(source.value).toEqual({});
    }
  });

  it('should count the expanded values exactly up to the limit', () => {
    expect(expandedSize(parseDocument(reuse(3)))).toBe(1 + 2 + (1 + 1 + 3));
    expect(expandedSize(parseDocument(laughs(9)), 1000)).toBe(1001);
  });

  it('should refuse the bomb through the loader under HEADROOM_ERR_CONFIG_INVALID', () => {
    expect(() => parseConfig([{ file: 'bomb.yaml', text: laughs(9) }], {})).toThrow(
      expect.objectContaining({
        code: 'HEADROOM_ERR_CONFIG_INVALID',
        issues: [expect.objectContaining({ message: BOMB_MESSAGE })],
      }),
    );
  });
});

describe('YAML merge keys', () => {
  it('should merge `<<` mappings, local keys winning, in a real configuration', () => {
    const text = [
      'x-context: &ctx',
      '  percentile: p99',
      '  budget: 50ms',
      'contexts:',
      '  fast:',
      '    <<: *ctx',
      '  slow:',
      '    <<: *ctx',
      '    budget: 500ms',
      '',
    ].join('\n');
    const source = parseYamlSource('m.yaml', text);
    expect(source.value).toEqual({
      'x-context': { percentile: 'p99', budget: '50ms' },
      contexts: { fast: { percentile: 'p99', budget: '50ms' }, slow: { percentile: 'p99', budget: '500ms' } },
    });
  });

  it('should load a configuration that shares settings through `<<`', () => {
    const text = [
      'contexts:',
      '  fast: &ctx',
      '    percentile: p99',
      '    budget: 50ms',
      '  slow:',
      '    <<: *ctx',
      '    budget: 500ms',
      '',
    ].join('\n');
    const { fast, slow } = parseConfig([{ file: 'm.yaml', text }], {}).contexts;
    expect([fast?.percentile, fast?.budgetMs, slow?.percentile, slow?.budgetMs]).toEqual([
      'p99',
      50,
      'p99',
      500,
    ]);
  });

  it('should merge a list of mappings, the first one winning', () => {
    const text = 'a: &a { x: 1, y: 1 }\nb: &b { y: 2, z: 2 }\nc:\n  <<: [*a, *b]\n';
    expect(parseYamlSource('m.yaml', text).value).toMatchObject({ c: { x: 1, y: 1, z: 2 } });
  });
});
