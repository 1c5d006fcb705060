import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { entryPoints, exportedSymbols } from '../../scripts/public-api.ts';

const PACKAGE = 'headroom-otel';
const apiDoc = readFileSync('docs/api.md', 'utf8');

/** The `### \`name\`` headings under each `## \`headroom-otel...\`` section of docs/api.md. */
function documentedSymbols(markdown: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of markdown.split('\n')) {
    const section = /^## `([^`]+)`$/.exec(line);
    if (section) {
      current = [];
      sections.set(section[1] as string, current);
    } else if (line.startsWith('## ')) {
      current = undefined;
    }
    const symbol = /^### `([^`]+)`$/.exec(line);
    if (symbol && current) current.push(symbol[1] as string);
  }
  return sections;
}

const specifier = (subpath: string) => (subpath === '.' ? PACKAGE : `${PACKAGE}/${subpath.slice(2)}`);
const sorted = (names: readonly string[]) => [...names].sort();

describe('docs/api.md', () => {
  const documented = documentedSymbols(apiDoc);

  it('should have one section per code entry point of package.json exports, and only those', () => {
    expect(sorted([...documented.keys()])).toEqual(
      sorted(entryPoints().map((entry) => specifier(entry.subpath))),
    );
    expect(entryPoints()).toEqual([
      { subpath: '.', source: 'index.ts' },
      { subpath: './prom-client', source: 'prom-client.ts' },
      { subpath: './http', source: 'instrumentation/http/http.ts' },
      { subpath: './express', source: 'instrumentation/http/express.ts' },
      { subpath: './fastify', source: 'instrumentation/http/fastify.ts' },
      { subpath: './cluster', source: 'cluster.ts' },
    ]);
  });

  for (const entry of entryPoints()) {
    it(`should document exactly the symbols ${specifier(entry.subpath)} exports, each once`, () => {
      const headings = documented.get(specifier(entry.subpath)) ?? [];
      expect(headings).toEqual([...new Set(headings)]);
      expect(sorted(headings)).toEqual(sorted(exportedSymbols(entry.source).map((symbol) => symbol.name)));
    });

    it(`should find every runtime export of ${specifier(entry.subpath)} among its value symbols`, async () => {
      const module = (await import(pathToFileURL(resolve(entry.source)).href)) as Record<string, unknown>;
      const values = exportedSymbols(entry.source).filter((symbol) => !symbol.type);
      expect(sorted(Object.keys(module))).toEqual(sorted(values.map((symbol) => symbol.name)));
    });
  }

  it('should mark type-only symbols as types and values as not', () => {
    const types = new Set(
      entryPoints()
        .flatMap((entry) => exportedSymbols(entry.source))
        .filter((symbol) => symbol.type)
        .map((symbol) => symbol.name),
    );
    const sections = apiDoc.split(/^### /m).slice(1);
    const marked = sections
      .filter((text) => /^`[^`]+`\n\n\*type\*/.test(text))
      .map((text) => text.slice(1, text.indexOf('`', 1)));
    expect(sorted([...new Set(marked)])).toEqual(sorted([...types]));
  });
});

describe('the public-api script', () => {
  it('should read export lists, type-only lists and declarations, with renames', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'public-api-')), 'index.ts');
    writeFileSync(
      file,
      [
        '// export { commented } from "./x.ts";',
        "export { a, type B, c as d } from './x.ts';",
        "export type { E } from './y.ts';",
        'export function f() {}',
        'export const G = 1;',
        'export interface H {}',
        'export class I {}',
      ].join('\n'),
    );
    expect(exportedSymbols(file)).toEqual([
      { name: 'B', type: true },
      { name: 'E', type: true },
      { name: 'G', type: false },
      { name: 'H', type: true },
      { name: 'I', type: false },
      { name: 'a', type: false },
      { name: 'd', type: false },
      { name: 'f', type: false },
    ]);
  });
});
