import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatValue, sortIssues, toConfigIssues, zodParseOptions } from '../../config/issues.ts';
import { mergeSources } from '../../config/merge.ts';
import { parseYamlSource } from '../../config/yaml-source.ts';
import type { ConfigIssue } from '../../errors.ts';

const percentile = z.enum(['p50', 'p90', 'p95', 'p99', 'p99.9']);
const phases = z.strictObject({ validation: z.number().optional(), execution: z.number().optional() });
const context = z.strictObject({
  budget: z.number(),
  percentile: percentile.default('p95'),
  phases: phases.optional(),
});

const schema = z.strictObject({
  window: z
    .strictObject({ size: z.number().default(60), slots: z.number().int().min(1).max(600).default(60) })
    .prefault({}),
  contexts: z.strictObject({ emergency: context.optional(), routine: context.optional() }).prefault({}),
  routes: z.record(z.string(), context).default({}),
  rules: z.array(z.strictObject({ match: z.string(), context: z.string() })).default([]),
  mode: z.union([z.number(), z.literal('auto')]).optional(),
});

function issuesFor(
  target: z.ZodType,
  text: string,
  options: object | undefined = zodParseOptions,
): ConfigIssue[] {
  const merged = mergeSources([parseYamlSource('app.yaml', text)]);
  const result = target.safeParse(merged.value, options);
  return result.success ? [] : toConfigIssues(result.error, merged.locate, target, merged.value);
}

const MANY_ERRORS = [
  'window:', //                 1
  '  size: abc', //             2
  '  slots: 601', //            3
  '  slot: 1', //               4
  'contexts:', //               5
  '  emergency:', //            6
  '    budget: 50', //          7
  '    percentile: p96', //     8
  '    phases:', //             9
  '      executon: 10', //      10
  '  routin: {}', //            11
  'rules:', //                  12
  '  - match: a', //            13
  '    context: x', //          14
  '  - match: b', //            15
  '    contxt: y', //           16
  'routes:', //                 17
  '  GET /users:', //           18
  '    budgt: 5', //            19
  '    budget: 5', //           20
  'mode: fast', //              21
  '',
].join('\n');

const MANY_ISSUES: ConfigIssue[] = [
  {
    file: 'app.yaml',
    path: 'window.size',
    line: 2,
    column: 9,
    message: 'expected a number, got string "abc"',
  },
  { file: 'app.yaml', path: 'window.slots', line: 3, column: 10, message: 'must be at most 600; got 601' },
  {
    file: 'app.yaml',
    path: 'window.slot',
    line: 4,
    column: 3,
    message: 'unknown key "slot" (did you mean "slots"?); allowed keys: size, slots',
  },
  {
    file: 'app.yaml',
    path: 'contexts.emergency.percentile',
    line: 8,
    column: 17,
    message: 'must be one of p50, p90, p95, p99, p99.9; got "p96"',
  },
  {
    file: 'app.yaml',
    path: 'contexts.emergency.phases.executon',
    line: 10,
    column: 7,
    message: 'unknown key "executon" (did you mean "execution"?); allowed keys: validation, execution',
  },
  {
    file: 'app.yaml',
    path: 'contexts.routin',
    line: 11,
    column: 3,
    message: 'unknown key "routin" (did you mean "routine"?); allowed keys: emergency, routine',
  },
  {
    file: 'app.yaml',
    path: 'rules[1].context',
    line: 15,
    column: 5,
    message: 'required key "context" is missing (expected a string)',
  },
  {
    file: 'app.yaml',
    path: 'rules[1].contxt',
    line: 16,
    column: 5,
    message: 'unknown key "contxt" (did you mean "context"?); allowed keys: match, context',
  },
  {
    file: 'app.yaml',
    path: 'routes["GET /users"].budgt',
    line: 19,
    column: 5,
    message: 'unknown key "budgt" (did you mean "budget"?); allowed keys: budget, percentile, phases',
  },
  {
    file: 'app.yaml',
    path: 'mode',
    line: 21,
    column: 7,
    message: 'expected a number or "auto", got string "fast"',
  },
];

describe('toConfigIssues', () => {
  it('should report every problem in a file at once, each at its line and column, sorted by line', () => {
    expect(issuesFor(schema, MANY_ERRORS)).toStrictEqual(MANY_ISSUES);
  });

  it('should give the same messages when the schema was parsed without zodParseOptions', () => {
    expect(issuesFor(schema, MANY_ERRORS, undefined)).toStrictEqual(MANY_ISSUES);
  });

  it('should report an unknown key without a suggestion when nothing is close', () => {
    expect(issuesFor(schema, 'window:\n  colour: red\n')).toStrictEqual([
      {
        file: 'app.yaml',
        path: 'window.colour',
        line: 2,
        column: 3,
        message: 'unknown key "colour"; allowed keys: size, slots',
      },
    ]);
  });

  it('should report each of several unknown keys in one mapping at its own key', () => {
    expect(issuesFor(schema, 'windw: {}\nmode: 1\nrouts: {}\n')).toStrictEqual([
      {
        file: 'app.yaml',
        path: 'windw',
        line: 1,
        column: 1,
        message:
          'unknown key "windw" (did you mean "window"?); allowed keys: window, contexts, routes, rules, mode',
      },
      {
        file: 'app.yaml',
        path: 'routs',
        line: 3,
        column: 1,
        message:
          'unknown key "routs" (did you mean "routes"?); allowed keys: window, contexts, routes, rules, mode',
      },
    ]);
  });

  it('should point a wrong empty value at its key and call it empty', () => {
    expect(issuesFor(schema, 'contexts:\n  emergency:\n    budget:\n')).toStrictEqual([
      {
        file: 'app.yaml',
        path: 'contexts.emergency.budget',
        line: 3,
        column: 5,
        message: 'expected a number, got an empty value (null)',
      },
    ]);
  });

  it('should keep messages the schema author wrote, with their paths', () => {
    const authored = z
      .strictObject({
        name: z.string().min(3, 'name must be at least 3 characters: it shows up in dashboards').optional(),
        budget: z.strictObject({ p50Ms: z.number(), p99Ms: z.number() }),
      })
      .superRefine((config, ctx) => {
        if (config.budget.p99Ms < config.budget.p50Ms) {
          ctx.addIssue({
            code: 'custom',
            path: ['budget', 'p99Ms'],
            message: 'budget.p99Ms must be ≥ budget.p50Ms',
          });
        }
      });
    expect(issuesFor(authored, 'budget:\n  p50Ms: 20\n  p99Ms: 10\n')).toStrictEqual([
      {
        file: 'app.yaml',
        path: 'budget.p99Ms',
        line: 3,
        column: 10,
        message: 'budget.p99Ms must be ≥ budget.p50Ms',
      },
    ]);
    expect(issuesFor(authored, 'name: ab\nbudget: { p50Ms: 1, p99Ms: 2 }\n')).toStrictEqual([
      {
        file: 'app.yaml',
        path: 'name',
        line: 1,
        column: 7,
        message: 'name must be at least 3 characters: it shows up in dashboards',
      },
    ]);
  });

  it('should explain records with enum keys, invalid keys and string bounds', () => {
    const records = z.strictObject({
      quantiles: z.record(z.enum(['p50', 'p99']), z.number()).optional(),
      labels: z.record(z.string().min(2), z.string().max(5)).optional(),
      names: z.record(z.string().regex(/^[a-z]+$/, 'names are lowercase letters'), z.number()).optional(),
    });
    const text =
      'quantiles: { p50: 1, p99: 2, p95: 3 }\nlabels:\n  a: ok\n  env: production\nnames: { ok: 1, "it\'s": 2 }\n';
    expect(issuesFor(records, text)).toStrictEqual([
      {
        file: 'app.yaml',
        path: 'quantiles.p95',
        line: 1,
        column: 30,
        message: 'unknown key "p95" (did you mean "p99"?); allowed keys: p50, p99',
      },
      {
        file: 'app.yaml',
        path: 'labels.a',
        line: 3,
        column: 3,
        message: 'invalid key "a": must be at least 2 characters long; got 1',
      },
      {
        file: 'app.yaml',
        path: 'labels.env',
        line: 4,
        column: 8,
        message: 'must be at most 5 characters long; got 10',
      },
      {
        file: 'app.yaml',
        path: 'names["it\'s"]',
        line: 5,
        column: 17,
        message: 'invalid key "it\'s": names are lowercase letters',
      },
    ]);
  });

  it('should explain a union by the branch the user most likely meant', () => {
    const sinks = z.strictObject({
      sink: z.union([
        z.strictObject({ kind: z.literal('http'), url: z.string() }),
        z.strictObject({ kind: z.literal('file'), path: z.string() }),
      ]),
      tagged: z
        .discriminatedUnion('kind', [
          z.strictObject({ kind: z.literal('http'), url: z.string() }),
          z.strictObject({ kind: z.literal('file'), path: z.string() }),
        ])
        .optional(),
    });
    const text = 'sink:\n  kind: file\n  url: x\ntagged:\n  kind: ftp\n';
    expect(issuesFor(sinks, text)).toStrictEqual([
      {
        file: 'app.yaml',
        path: 'sink.path',
        line: 1,
        column: 1,
        message: 'required key "path" is missing (expected a string)',
      },
      {
        file: 'app.yaml',
        path: 'sink.url',
        line: 3,
        column: 3,
        message: 'unknown key "url"; allowed keys: kind, path',
      },
      {
        file: 'app.yaml',
        path: 'tagged.kind',
        line: 5,
        column: 9,
        message: 'must be one of http, file; got "ftp"',
      },
    ]);
  });

  it('should report lists that are too short and values of the wrong kind', () => {
    const lists = z.strictObject({ hosts: z.array(z.string()).min(2), on: z.boolean() });
    expect(issuesFor(lists, 'hosts: [a]\non: [x]\n')).toStrictEqual([
      { file: 'app.yaml', path: 'hosts', line: 1, column: 8, message: 'must have at least 2 items; got 1' },
      {
        file: 'app.yaml',
        path: 'on',
        line: 2,
        column: 5,
        message: 'expected true or false, got a list of 1 item',
      },
    ]);
  });

  it('should name the file without a position when the file is empty', () => {
    const required = z.strictObject({ service: z.string() });
    expect(issuesFor(required, '')).toStrictEqual([
      { file: 'app.yaml', path: 'service', message: 'required key "service" is missing (expected a string)' },
    ]);
  });
});

describe('sortIssues', () => {
  it('should order by file, then line, then column, with unpositioned issues first', () => {
    const issues: ConfigIssue[] = [
      { file: 'b.yaml', path: 'x', line: 1, column: 1, message: 'm' },
      { file: 'a.yaml', path: 'y', line: 2, column: 5, message: 'm' },
      { file: 'a.yaml', path: 'z', line: 2, column: 1, message: 'm' },
      { file: 'a.yaml', path: 'w', message: 'm' },
    ];
    expect(sortIssues(issues).map((issue) => issue.path)).toEqual(['w', 'z', 'y', 'x']);
  });
});

describe('formatValue', () => {
  it('should render values as they would be written in YAML', () => {
    expect(formatValue('abc')).toBe('"abc"');
    expect(formatValue(42)).toBe('42');
    expect(formatValue(Number.NaN)).toBe('NaN');
    expect(formatValue(true)).toBe('true');
    expect(formatValue(null)).toBe('null');
    expect(formatValue(undefined)).toBe('nothing');
    expect(formatValue([1, 2])).toBe('a list of 2 items');
    expect(formatValue({ a: 1 })).toBe('a mapping');
    expect(formatValue('x'.repeat(70))).toBe(`"${'x'.repeat(60)}..."`);
  });
});

describe('bound messages', () => {
  it('should say at least, at most, more than, less than and exactly', () => {
    const bounds = z.strictObject({
      a: z.number().gt(0).optional(),
      b: z.number().lt(10).optional(),
      c: z.string().length(2).optional(),
      d: z.number().multipleOf(5).optional(),
      e: z.string().startsWith('http').optional(),
    });
    expect(issuesFor(bounds, 'a: 0\nb: 10\nc: abc\nd: 7\ne: ftp\n').map((issue) => issue.message)).toEqual([
      'must be more than 0; got 0',
      'must be less than 10; got 10',
      'must be exactly 2 characters long; got 3',
      'must be a multiple of 5; got 7',
      'must start with "http"; got "ftp"',
    ]);
  });
});
