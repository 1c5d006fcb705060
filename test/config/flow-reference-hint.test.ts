// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` is the substitution syntax under test, not a template.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/index.ts';
import { parseYamlSource } from '../../config/yaml-source.ts';

const hint = (reference: string) =>
  `unquoted ${reference} inside { } or [ ]: in flow style YAML reads its { as a mapping; quote the value ("${reference}") or write the mapping in block style`;

describe('a ${NAME} inside { } or [ ]', () => {
  it('should be one issue saying to quote it, at the reference, instead of the tokenizer messages', () => {
    const text = 'exporters:\n  otlp:\n    headers: { x-api-key: ${API_KEY} }\n';
    expect(parseYamlSource('f.yaml', text).issues).toEqual([
      { file: 'f.yaml', path: '', line: 3, column: 27, message: hint('${API_KEY}') },
    ]);
  });

  it('should name every unquoted reference on the line, in a list too, and drop the cascade after it', () => {
    const text = 'a:\n  - { name: x, token: ${T}, url: ${U:-http://h} }\nb: [${B}]\nc: 1\n';
    expect(parseYamlSource('f.yaml', text).issues.map((i) => [i.line, i.column, i.message])).toEqual([
      [2, 23, hint('${T}')],
      [2, 34, hint('${U:-http://h}')],
      [3, 5, hint('${B}')],
    ]);
  });

  it('should keep other syntax errors before it, and leave quoted and block-style references alone', () => {
    const issues = parseYamlSource('f.yaml', 'a: b: c\nd: { e: ${E} }\n').issues;
    expect(issues.map((i) => [i.line, i.message.startsWith('unquoted')])).toEqual([
      [1, false],
      [2, true],
    ]);
    const ok = 'a: { b: "${X}", c: \'${Y}\' }\nd:\n  e: ${Z} # { not flow }\nf: "don\'t { ${W}"\n';
    expect(parseYamlSource('f.yaml', ok).issues).toEqual([]);
  });

  it('should load once quoted, through the loader', () => {
    const text = 'exporters:\n  otlp:\n    headers: { x-api-key: "${API_KEY}" }\n';
    expect(parseConfig([{ file: 'f.yaml', text }], { API_KEY: '0123' }).exporters.otlp.headers).toEqual({
      'x-api-key': '0123',
    });
  });
});
