import { describe, expect, it } from 'vitest';
import { parseYamlSource } from '../../config/yaml-source.ts';

const SAMPLE = [
  'contexts:', //                 1
  '  emergency:', //              2
  '    budget: 50ms', //          3
  'rules:', //                    4
  '  - match: GET /x', //         5
  '    context: emergency', //    6
  'empty:', //                    7
  'label: "quoted"', //           8
  '',
].join('\n');

describe('parseYamlSource', () => {
  it('should parse a mapping into plain data with no issues', () => {
    const source = parseYamlSource('a.yaml', SAMPLE);
    expect(source.value).toEqual({
      contexts: { emergency: { budget: '50ms' } },
      rules: [{ match: 'GET /x', context: 'emergency' }],
      empty: null,
      label: 'quoted',
    });
    expect(source.issues).toEqual([]);
  });

  it('should treat an empty file and a file of only comments as an empty mapping', () => {
    for (const text of ['', '\n\n', '# nothing here\n# at all\n']) {
      const source = parseYamlSource('empty.yaml', text);
      expect(source.value).toEqual({});
      expect(source.issues).toEqual([]);
      expect(source.locate(['window'])).toBeUndefined();
    }
  });

  it('should report every syntax error in a file, not only the first', () => {
    const source = parseYamlSource('bad.yaml', 'a: {b: 1\nc: 2\nd: e: f\n');
    expect(source.issues).toStrictEqual([
      {
        file: 'bad.yaml',
        path: '',
        line: 2,
        column: 1,
        message: 'Flow map in block collection must be sufficiently indented and end with a }',
      },
      {
        file: 'bad.yaml',
        path: '',
        line: 3,
        column: 4,
        message: 'Nested mappings are not allowed in compact mappings',
      },
    ]);
    expect(source.value).toEqual({});
  });

  it('should report a duplicate key at its second occurrence, naming the key', () => {
    const source = parseYamlSource('dup.yaml', 'window: 1s\nevaluation: {}\nwindow: 2s\n');
    expect(source.issues).toStrictEqual([
      {
        file: 'dup.yaml',
        path: '',
        line: 3,
        column: 1,
        message: 'duplicate key "window": map keys must be unique',
      },
    ]);
  });

  it('should report a top level that is not a mapping', () => {
    expect(parseYamlSource('list.yaml', '\n- a\n- b\n').issues).toStrictEqual([
      {
        file: 'list.yaml',
        path: '',
        line: 2,
        column: 1,
        message: 'the top level must be a mapping of keys to values, got a list',
      },
    ]);
    expect(parseYamlSource('scalar.yaml', 'hello').issues).toStrictEqual([
      {
        file: 'scalar.yaml',
        path: '',
        line: 1,
        column: 1,
        message: 'the top level must be a mapping of keys to values, got a single value',
      },
    ]);
  });

  it('should locate a value, or its key when asked', () => {
    const source = parseYamlSource('a.yaml', SAMPLE);
    expect(source.locate(['contexts', 'emergency', 'budget'])).toEqual({ line: 3, column: 13 });
    expect(source.locate(['contexts', 'emergency', 'budget'], 'key')).toEqual({ line: 3, column: 5 });
    expect(source.locate(['rules', 0, 'context'])).toEqual({ line: 6, column: 14 });
    expect(source.locate(['rules', 0])).toEqual({ line: 5, column: 5 });
    expect(source.locate([])).toEqual({ line: 1, column: 1 });
  });

  it('should point at the key of an empty value', () => {
    expect(parseYamlSource('a.yaml', SAMPLE).locate(['empty'])).toEqual({ line: 7, column: 1 });
  });

  it('should fall back to the key of the deepest existing ancestor', () => {
    const source = parseYamlSource('a.yaml', SAMPLE);
    expect(source.locate(['contexts', 'emergency', 'phases', 'execution'])).toEqual({ line: 2, column: 3 });
    expect(source.locate(['contexts', 'emergency', 'budget', 'deeper'])).toEqual({ line: 3, column: 5 });
    expect(source.locate(['rules', 5, 'match'])).toEqual({ line: 4, column: 1 });
    expect(source.locate(['nowhere'])).toEqual({ line: 1, column: 1 });
  });

  it('should tell quoted scalars from plain ones', () => {
    const source = parseYamlSource('a.yaml', SAMPLE);
    expect(source.isQuoted(['label'])).toBe(true);
    expect(source.isQuoted(['contexts', 'emergency', 'budget'])).toBe(false);
    expect(source.isQuoted(['missing'])).toBe(false);
  });
});
