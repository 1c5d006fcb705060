import { describe, expect, it } from 'vitest';
import { DEFAULTS_FILE, mergeSources } from '../../config/merge.ts';
import { parseYamlSource } from '../../config/yaml-source.ts';

const BASE = [
  'window:', //               1
  '  size: 60s', //           2
  '  slots: 60', //           3
  'rules:', //                4
  '  - match: a', //          5
  '  - match: b', //          6
  'exporters:', //            7
  '  prometheus:', //         8
  '    port: 9464', //        9
  '',
].join('\n');

const TEAM = [
  'window:', //               1
  '  slots: 30', //           2
  'rules:', //                3
  '  - match: c', //          4
  '',
].join('\n');

const PROD = [
  '# production overrides', // 1
  'exporters:', //            2
  '  prometheus:', //         3
  '    host: 0.0.0.0', //     4
  'window: { size: 30s }', // 5
  '',
].join('\n');

const sources = () => [
  parseYamlSource('base.yaml', BASE),
  parseYamlSource('team.yaml', TEAM),
  parseYamlSource('prod.yaml', PROD),
];

describe('mergeSources', () => {
  it('should merge mappings key by key with later sources winning, and replace lists', () => {
    expect(mergeSources(sources()).value).toEqual({
      window: { size: '30s', slots: 30 },
      rules: [{ match: 'c' }],
      exporters: { prometheus: { port: 9464, host: '0.0.0.0' } },
    });
  });

  it('should locate each value in the file that supplied it', () => {
    const { locate } = mergeSources(sources());
    expect(locate(['window', 'size'])).toEqual({ file: 'prod.yaml', line: 5, column: 17 });
    expect(locate(['window', 'slots'])).toEqual({ file: 'team.yaml', line: 2, column: 10 });
    expect(locate(['rules', 0, 'match'])).toEqual({ file: 'team.yaml', line: 4, column: 12 });
    expect(locate(['exporters', 'prometheus', 'port'])).toEqual({ file: 'base.yaml', line: 9, column: 11 });
    expect(locate(['exporters', 'prometheus', 'host'], 'key')).toEqual({
      file: 'prod.yaml',
      line: 4,
      column: 5,
    });
  });

  it('should locate a missing path at its ancestor in the last file that supplied the ancestor', () => {
    const { locate } = mergeSources(sources());
    expect(locate(['window', 'evaluation'])).toEqual({ file: 'prod.yaml', line: 5, column: 1 });
    expect(locate(['rules', 3])).toEqual({ file: 'team.yaml', line: 3, column: 1 });
    expect(locate(['exporters', 'prometheus', 'path'])).toEqual({ file: 'prod.yaml', line: 3, column: 3 });
  });

  it('should let a later scalar replace a mapping and a later mapping replace a scalar', () => {
    const merged = mergeSources([
      parseYamlSource('1.yaml', 'a: { b: 1, c: 2 }'),
      parseYamlSource('2.yaml', 'a: off'),
      parseYamlSource('3.yaml', 'a:\n  d: 4'),
    ]);
    expect(merged.value).toEqual({ a: { d: 4 } });
    expect(merged.locate(['a', 'b'])).toEqual({ file: '3.yaml', line: 1, column: 1 });
    expect(merged.locate(['a', 'd'])).toEqual({ file: '3.yaml', line: 2, column: 6 });
  });

  it('should keep a key named __proto__ as data', () => {
    const merged = mergeSources([
      parseYamlSource('1.yaml', 'a: 1'),
      parseYamlSource('2.yaml', '__proto__: { x: 1 }'),
    ]);
    expect(Object.keys(merged.value as object)).toEqual(['a', '__proto__']);
    expect(Object.getPrototypeOf(merged.value)).toBe(Object.prototype);
  });

  it('should give an empty mapping located in the defaults when there are no sources', () => {
    const merged = mergeSources([]);
    expect(merged.value).toEqual({});
    expect(merged.locate(['window'])).toEqual({ file: DEFAULTS_FILE });
  });

  it('should name the file but no position for a path in an empty file', () => {
    expect(mergeSources([parseYamlSource('empty.yaml', '')]).locate(['window'])).toEqual({
      file: 'empty.yaml',
    });
  });
});
