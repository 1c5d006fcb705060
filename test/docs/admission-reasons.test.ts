import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ADMISSION_REASONS } from '../../agent/admission/types.ts';

/** The line(s) of `file` that list the admission reasons, found by a phrase only those lines have. */
function reasonList(file: string, phrase: RegExp): string {
  const text = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
  const at = text.search(phrase);
  expect(at, `${file}: no reason list found`).toBeGreaterThanOrEqual(0);
  return text.slice(at, at + 400);
}

describe('every admission reason is documented where the reasons are listed', () => {
  const lists = {
    'README.md': reasonList('README.md', /`reason` is `overload`/),
    'docs/decision-api.md': reasonList('docs/decision-api.md', /`reason` \(`overload`/),
    'docs/attributes.md': reasonList('docs/attributes.md', /\| `headroom\.admission\.reason` \|/),
  };
  for (const [file, list] of Object.entries(lists))
    it(`should name each of ${ADMISSION_REASONS.join(', ')} in ${file}`, () => {
      expect(ADMISSION_REASONS.filter((reason) => !list.includes(`\`${reason}\``))).toEqual([]);
    });
});
