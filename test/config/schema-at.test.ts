import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { allowedKeysAt, schemasAt, unionOptionAt } from '../../config/schema-at.ts';

const phases = z.strictObject({ validation: z.number(), execution: z.number() });
const context = z.strictObject({ budget: z.string(), phases: phases.optional() });
interface Node {
  name: string;
  children?: Node[];
}
const tree: z.ZodType<Node> = z.lazy(() =>
  z.strictObject({ name: z.string(), children: z.array(tree).optional() }),
);

const schema = z
  .strictObject({
    window: z.strictObject({ size: z.string(), slots: z.number() }).optional(),
    contexts: z.record(z.string(), context).default({}),
    rules: z.array(z.strictObject({ match: z.string(), context: z.string() })).default([]),
    percentiles: z.record(z.enum(['p50', 'p99']), z.number()).optional(),
    sink: z.union([z.strictObject({ url: z.string() }), z.strictObject({ file: z.string() })]).optional(),
    both: z.intersection(z.object({ a: z.number() }), z.object({ b: z.number() })).optional(),
    duration: z.string().transform(Number).pipe(z.number()).optional(),
    pre: z.preprocess((v) => v, z.strictObject({ inner: z.number() })).optional(),
    tree: tree.optional(),
    pair: z.tuple([z.string(), z.strictObject({ x: z.number() })]).optional(),
  })
  .superRefine(() => {})
  .transform((config) => config);

describe('allowedKeysAt', () => {
  it('should list the keys of an object behind refinements, transforms, defaults and optionals', () => {
    expect(allowedKeysAt(schema, [])).toEqual([
      'window',
      'contexts',
      'rules',
      'percentiles',
      'sink',
      'both',
      'duration',
      'pre',
      'tree',
      'pair',
    ]);
    expect(allowedKeysAt(schema, ['window'])).toEqual(['size', 'slots']);
  });

  it('should walk through record values, list elements and tuple items', () => {
    expect(allowedKeysAt(schema, ['contexts', 'emergency'])).toEqual(['budget', 'phases']);
    expect(allowedKeysAt(schema, ['contexts', 'emergency', 'phases'])).toEqual(['validation', 'execution']);
    expect(allowedKeysAt(schema, ['rules', 3])).toEqual(['match', 'context']);
    expect(allowedKeysAt(schema, ['pair', 1])).toEqual(['x']);
  });

  it('should give the enum keys of a record', () => {
    expect(allowedKeysAt(schema, ['percentiles'])).toEqual(['p50', 'p99']);
  });

  it('should join the keys of union and intersection members', () => {
    expect(allowedKeysAt(schema, ['sink'])).toEqual(['url', 'file']);
    expect(allowedKeysAt(schema, ['both'])).toEqual(['a', 'b']);
  });

  it('should look through preprocess and lazy schemas', () => {
    expect(allowedKeysAt(schema, ['pre'])).toEqual(['inner']);
    expect(allowedKeysAt(schema, ['tree', 'children', 0, 'children', 1])).toEqual(['name', 'children']);
  });

  it('should give undefined when the path cannot be resolved or any key is allowed', () => {
    expect(allowedKeysAt(schema, ['nope'])).toBeUndefined();
    expect(allowedKeysAt(schema, ['rules', 'x'])).toBeUndefined();
    expect(allowedKeysAt(schema, ['contexts'])).toBeUndefined();
  });

  it('should give no keys for a scalar', () => {
    expect(allowedKeysAt(schema, ['duration'])).toEqual([]);
    expect(schemasAt(schema, ['window', 'size']).map((s) => s._zod.def.type)).toEqual(['string']);
  });
});

describe('unionOptionAt', () => {
  it('should give one option of the union at a path, so a failed branch can be read alone', () => {
    expect(allowedKeysAt(unionOptionAt(schema, ['sink'], 1)!, [])).toEqual(['file']);
    expect(unionOptionAt(schema, ['sink'], 2)).toBeUndefined();
    expect(unionOptionAt(schema, ['window'], 0)).toBeUndefined();
  });
});
