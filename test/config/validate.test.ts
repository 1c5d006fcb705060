// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` is the substitution syntax under test, not a template.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validateSources } from '../../config/validate.ts';

const UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000 };
const duration = z
  .string()
  .regex(/^\d+(ms|s)$/, 'must be a duration such as "50ms" or "1s"')
  .transform((text) => {
    const [, amount, unit] = /^(\d+)(ms|s)$/.exec(text)!;
    return Number(amount) * UNITS_MS[unit!]!;
  });

const schema = z.strictObject({
  service: z.strictObject({ name: z.string().min(1) }).optional(),
  window: z
    .strictObject({ sizeMs: duration.default(60_000), slots: z.number().int().min(1).default(60) })
    .prefault({}),
  exporters: z
    .strictObject({
      prometheus: z
        .strictObject({
          port: z.number().int().min(1).max(65_535).default(9464),
          host: z.string().default('0.0.0.0'),
        })
        .prefault({}),
    })
    .prefault({}),
  rules: z
    .array(z.strictObject({ match: z.string(), context: z.enum(['emergency', 'routine']) }))
    .default([]),
});

const DEFAULTS = {
  window: { sizeMs: 60_000, slots: 60 },
  exporters: { prometheus: { port: 9464, host: '0.0.0.0' } },
  rules: [],
};

describe('validateSources', () => {
  it('should validate an empty mapping when there are no sources, so defaults apply', () => {
    expect(validateSources([], schema, {})).toEqual({ ok: true, value: DEFAULTS });
  });

  it('should treat an empty file and a file of only comments as empty mappings', () => {
    const sources = [
      { file: 'empty.yaml', text: '' },
      { file: 'comments.yaml', text: '# nothing yet\n' },
    ];
    expect(validateSources(sources, schema, {})).toEqual({ ok: true, value: DEFAULTS });
  });

  it('should return the transformed value with environment references expanded and typed', () => {
    const text =
      'window:\n  sizeMs: 30s\nexporters:\n  prometheus:\n    port: ${PORT}\n    host: $${literal}\n';
    expect(validateSources([{ file: 'app.yaml', text }], schema, { PORT: '9000' })).toEqual({
      ok: true,
      value: {
        ...DEFAULTS,
        window: { sizeMs: 30_000, slots: 60 },
        exporters: { prometheus: { port: 9000, host: '${literal}' } },
      },
    });
  });

  it('should report every syntax error of every file and stop before validation', () => {
    const sources = [
      { file: 'a.yaml', text: 'window: {sizeMs: 1s\nslots: 2\nx: y: z\n' },
      { file: 'b.yaml', text: 'rules: nope\n' },
      { file: 'c.yaml', text: 'window: 1\nwindow: 2\n' },
    ];
    expect(validateSources(sources, schema, {})).toStrictEqual({
      ok: false,
      issues: [
        {
          file: 'a.yaml',
          path: '',
          line: 2,
          column: 1,
          message: 'Flow map in block collection must be sufficiently indented and end with a }',
        },
        {
          file: 'a.yaml',
          path: '',
          line: 3,
          column: 4,
          message: 'Nested mappings are not allowed in compact mappings',
        },
        {
          file: 'c.yaml',
          path: '',
          line: 2,
          column: 1,
          message: 'duplicate key "window": map keys must be unique',
        },
      ],
    });
  });

  it('should report a top level that is not a mapping without validating', () => {
    expect(validateSources([{ file: 'list.yaml', text: '- window\n' }], schema, {})).toStrictEqual({
      ok: false,
      issues: [
        {
          file: 'list.yaml',
          path: '',
          line: 1,
          column: 1,
          message: 'the top level must be a mapping of keys to values, got a list',
        },
      ],
    });
  });

  it('should locate each error in the file that supplied the bad value when three files are merged', () => {
    const sources = [
      {
        file: 'base.yaml',
        text: 'window:\n  sizeMs: 1s\n  slots: 10\nrules:\n  - { match: a, context: emergency }\n',
      },
      { file: 'team.yaml', text: 'window:\n  slots: 0\n' },
      {
        file: 'prod.yaml',
        text: '# prod\nexporters:\n  prometheus:\n    port: 70000\nrules:\n  - match: b\n    context: urgent\n',
      },
    ];
    expect(validateSources(sources, schema, {})).toStrictEqual({
      ok: false,
      issues: [
        {
          file: 'prod.yaml',
          path: 'exporters.prometheus.port',
          line: 4,
          column: 11,
          message: 'must be at most 65535; got 70000',
        },
        {
          file: 'prod.yaml',
          path: 'rules[0].context',
          line: 7,
          column: 14,
          message: 'must be one of emergency, routine; got "urgent"',
        },
        {
          file: 'team.yaml',
          path: 'window.slots',
          line: 2,
          column: 10,
          message: 'must be at least 1; got 0',
        },
      ],
    });
  });

  it('should report unset variables and schema errors together, without a type error at the unexpanded value', () => {
    const text = [
      'service:', //                     1
      '  name: ${SERVICE}', //           2
      'window:', //                      3
      '  sizeMs: ${WINDOW}', //          4
      '  slotz: 5', //                   5
      'exporters:', //                   6
      '  prometheus:', //                7
      '    port: ${PORT}', //            8
      '    host: ${HOST}', //            9
      '',
    ].join('\n');
    expect(validateSources([{ file: 'app.yaml', text }], schema, { WINDOW: 'soon' })).toStrictEqual({
      ok: false,
      issues: [
        {
          file: 'app.yaml',
          path: 'service.name',
          line: 2,
          column: 9,
          message:
            'environment variable SERVICE is not set and has no default (write ${SERVICE:-value} to give one)',
        },
        {
          file: 'app.yaml',
          path: 'window.sizeMs',
          line: 4,
          column: 11,
          message: 'must be a duration such as "50ms" or "1s"',
        },
        {
          file: 'app.yaml',
          path: 'window.slotz',
          line: 5,
          column: 3,
          message: 'unknown key "slotz" (did you mean "slots"?); allowed keys: sizeMs, slots',
        },
        {
          file: 'app.yaml',
          path: 'exporters.prometheus.port',
          line: 8,
          column: 11,
          message:
            'environment variable PORT is not set and has no default (write ${PORT:-value} to give one)',
        },
        {
          file: 'app.yaml',
          path: 'exporters.prometheus.host',
          line: 9,
          column: 11,
          message:
            'environment variable HOST is not set and has no default (write ${HOST:-value} to give one)',
        },
      ],
    });
  });

  it('should give a substituted value the type its field expects, and show the reference in errors', () => {
    const text = 'service:\n  name: ${NAME}\nwindow:\n  slots: ${SLOTS}\n';
    expect(validateSources([{ file: 'app.yaml', text }], schema, { NAME: '42', SLOTS: '7' })).toEqual({
      ok: true,
      value: { ...DEFAULTS, service: { name: '42' }, window: { sizeMs: 60_000, slots: 7 } },
    });
    expect(
      validateSources([{ file: 'app.yaml', text }], schema, { NAME: '42', SLOTS: 'seven' }),
    ).toStrictEqual({
      ok: false,
      issues: [
        {
          file: 'app.yaml',
          path: 'window.slots',
          line: 4,
          column: 10,
          message: 'expected a number, got ${SLOTS}',
        },
      ],
    });
  });
});
