// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` is the substitution syntax under test, not a template.
// What the flow-reference scan skips: comments, quoted scalars (escaped quotes too), apostrophes in words.
import { describe, expect, it } from 'vitest';
import { parseYamlSource } from '../../config/yaml-source.ts';

const hint = (reference: string) =>
  `unquoted ${reference} inside { } or [ ]: in flow style YAML reads its { as a mapping; quote the value ("${reference}") or write the mapping in block style`;
const issuesOf = (text: string) =>
  parseYamlSource('f.yaml', text).issues.map((issue) => [issue.line, issue.column, issue.message]);

describe('the scan for unquoted ${NAME} in flow collections', () => {
  it.each([
    ['a comment on the first line', '# { ${X} }\na: { b: ${B} }\n', [[2, 9, hint('${B}')]]],
    ['a comment after a flow mapping', 'a: { b: 1 } # { ${X} }\nc: { d: ${D} }\n', [[2, 9, hint('${D}')]]],
    ['a comment that ends the file', 'a: { b: ${B} } # { ${X} }', [[1, 9, hint('${B}')]]],
    [
      'a double-quoted value with escaped quotes',
      'a: { b: "say \\"${Q}\\" now", c: ${C} }\n',
      [[1, 32, hint('${C}')]],
    ],
    ['a single-quoted value', "a: { b: '${Q}', c: ${C} }\n", [[1, 20, hint('${C}')]]],
    ['an apostrophe inside a word', "a: { b: don't, c: ${C} }\n", [[1, 19, hint('${C}')]]],
  ])('should skip %s and hint only the unquoted reference', (_, text, expected) => {
    expect(issuesOf(text)).toEqual(expected);
  });

  it('should say nothing of a reference in block style', () => {
    expect(issuesOf('a: { b: c }\nd: ${D}\n')).toEqual([]);
  });
});
