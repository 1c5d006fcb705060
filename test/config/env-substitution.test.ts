// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` is the substitution syntax under test, not a template.
import { describe, expect, it } from 'vitest';
import { expandString, substituteEnv } from '../../config/env-substitution.ts';
import { parseYamlSource } from '../../config/yaml-source.ts';

const ENV = { A: 'alpha', PORT: '9464', ON: 'true', EMPTY: '', UNSET: undefined };

describe('expandString', () => {
  it('should expand every reference form the Collector accepts', () => {
    expect(expandString('${env:A}', ENV)).toEqual({ text: 'alpha', whole: true, problems: [] });
    expect(expandString('${A}', ENV)).toEqual({ text: 'alpha', whole: true, problems: [] });
    expect(expandString('${NOPE:-d}', ENV)).toEqual({ text: 'd', whole: true, problems: [] });
    expect(expandString('${env:NOPE:-d}', ENV)).toEqual({ text: 'd', whole: true, problems: [] });
    expect(expandString('${A:-d}', ENV)).toEqual({ text: 'alpha', whole: true, problems: [] });
    expect(expandString('${UNSET:-}', ENV)).toEqual({ text: '', whole: true, problems: [] });
  });

  it('should use the default only when the variable is unset, not when it is empty', () => {
    expect(expandString('${EMPTY:-d}', ENV).text).toBe('');
  });

  it('should expand several references inside a longer string', () => {
    expect(expandString('http://${A}:${PORT}/v1', ENV)).toEqual({
      text: 'http://alpha:9464/v1',
      whole: false,
      problems: [],
    });
  });

  it('should read $$ as a literal $ and leave $${A} as the text ${A}', () => {
    expect(expandString('cost: $$5', ENV).text).toBe('cost: $5');
    expect(expandString('$${A}', ENV)).toEqual({ text: '${A}', whole: false, problems: [] });
    expect(expandString('$$$${A}', ENV).text).toBe('$${A}');
    expect(expandString('$$${A}', ENV).text).toBe('$alpha');
  });

  it('should leave a bare $NAME, a lone $ and an unclosed ${ as written', () => {
    expect(expandString('$A and $ and ${A', ENV)).toEqual({
      text: '$A and $ and ${A',
      whole: false,
      problems: [],
    });
  });

  it('should report an unset variable without a default and keep the reference', () => {
    expect(expandString('x-${NOPE}', ENV)).toEqual({
      text: 'x-${NOPE}',
      whole: false,
      problems: [
        'environment variable NOPE is not set and has no default (write ${NOPE:-value} to give one)',
      ],
    });
  });

  it('should report an unsupported provider and an invalid name', () => {
    expect(expandString('${file:/etc/x} ${1A} ${}', ENV).problems).toEqual([
      '"${file:/etc/x}": provider "file" is not supported; write ${NAME}, ${env:NAME} or ${NAME:-default}',
      '"${1A}": is not a valid variable name; write ${NAME}, ${env:NAME} or ${NAME:-default}',
      '"${}": is not a valid variable name; write ${NAME}, ${env:NAME} or ${NAME:-default}',
    ]);
  });
});

describe('substituteEnv', () => {
  const text = [
    'exporters:', //                  1
    '  prometheus:', //               2
    '    port: ${PORT}', //           3
    '    host: ${A}:${PORT}', //      4
    '    label: "${PORT}"', //        5
    '    enabled: ${ON}', //          6
    '    url: http://${MISSING}/x', // 7
    '  list:', //                     8
    '    - ${ALSO_MISSING}', //       9
    '    - ${A}', //                  10
    '  ${A}: keys are not expanded', // 11
    '',
  ].join('\n');

  it('should type whole-value substitutions, keep partial and quoted ones as strings, and report each unset variable at its scalar', () => {
    const result = substituteEnv(parseYamlSource('app.yaml', text), ENV);
    expect(result.value).toEqual({
      exporters: {
        prometheus: {
          port: 9464,
          host: 'alpha:9464',
          label: '9464',
          enabled: true,
          url: 'http://${MISSING}/x',
        },
        list: ['${ALSO_MISSING}', 'alpha'],
        '${A}': 'keys are not expanded',
      },
    });
    expect(result.issues).toStrictEqual([
      {
        file: 'app.yaml',
        path: 'exporters.prometheus.url',
        line: 7,
        column: 10,
        message:
          'environment variable MISSING is not set and has no default (write ${MISSING:-value} to give one)',
      },
      {
        file: 'app.yaml',
        path: 'exporters.list[0]',
        line: 9,
        column: 7,
        message:
          'environment variable ALSO_MISSING is not set and has no default (write ${ALSO_MISSING:-value} to give one)',
      },
    ]);
  });

  it('should type a whole value only when it reads as a plain YAML number or boolean', () => {
    const typed = (value: string) => substituteEnv(parseYamlSource('a.yaml', 'v: ${V}'), { V: value }).value;
    expect(typed('1.5')).toEqual({ v: 1.5 });
    expect(typed('-3')).toEqual({ v: -3 });
    expect(typed('false')).toEqual({ v: false });
    expect(typed('yes')).toEqual({ v: 'yes' });
    expect(typed('null')).toEqual({ v: 'null' });
    expect(typed('')).toEqual({ v: '' });
    expect(typed('"7"')).toEqual({ v: '"7"' });
    expect(typed('7 # comment')).toEqual({ v: '7 # comment' });
    expect(typed('[1, 2]')).toEqual({ v: '[1, 2]' });
  });

  it('should not modify the parsed source', () => {
    const source = parseYamlSource('a.yaml', 'v: ${A}');
    substituteEnv(source, ENV);
    expect(source.value).toEqual({ v: '${A}' });
  });
});
