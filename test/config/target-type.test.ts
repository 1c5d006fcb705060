// A whole-value ${NAME} becomes what the field it lands in accepts (the Collector's rule), for every kind of field.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { targetTyped } from '../../config/target-type.ts';
import { valueAt } from '../../config/tree.ts';

const schema = z.object({
  mode: z.enum(['1', '2']),
  port: z.union([z.literal(8080), z.literal('auto')]),
  size: z.bigint(),
  anything: z.unknown(),
  list: z.array(z.string()),
  name: z.templateLiteral(['svc-', z.number()]),
});

describe('targetTyped', () => {
  it.each([
    ['an enum of strings keeps the text', ['mode'], '1', 1, '1'],
    ['a literal union keeps a number it accepts', ['port'], '8080', 8080, 8080],
    ['a literal union without booleans takes true as the text', ['port'], 'true', true, 'true'],
    ['a bigint field takes the number', ['size'], '7', 7, 7],
    ['an unknown field takes the YAML typing', ['anything'], '07', 7, 7],
    ['a list (not a scalar) takes the YAML typing', ['list'], '3', 3, 3],
    ['a template literal takes the text', ['name'], '12', 12, '12'],
    ['a path outside the schema takes the YAML typing', ['nope'], '5', 5, 5],
  ])('%s', (_, path, text, yamlTyped, expected) => {
    expect(targetTyped(schema, path as string[], text as string, yamlTyped)).toBe(expected);
  });

  it('should keep the YAML typing without a schema, and a string as it is', () => {
    expect([targetTyped(undefined, ['mode'], '1', 1), targetTyped(schema, ['port'], 'x', 'x')]).toEqual([
      1,
      'x',
    ]);
  });
});

describe('valueAt', () => {
  const tree = { a: [{ b: 'x' }, 2], c: null };
  it.each([
    [['a', 0, 'b'], 'x'],
    [['a', 1], 2],
    [['c'], null],
    [[], tree],
    [['a', 'b'], undefined],
    [['c', 'd'], undefined],
    [['toString'], undefined],
    [[Symbol.iterator], undefined],
    [['a', 5], undefined],
  ])('should find %j', (path, expected) => {
    expect(valueAt(tree, path as PropertyKey[])).toEqual(expected);
  });
});
