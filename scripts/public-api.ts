/**
 * The public API: for each code entry point of package.json `exports`, the symbols it exports,
 * read from its source barrel (explicit named exports only: Biome bans `export *`).
 *
 * Run `node scripts/public-api.ts` to print them with their counts; test/docs/api.test.ts checks
 * that docs/api.md documents exactly these.
 */
import { readFileSync } from 'node:fs';

/** One code entry point: its subpath (`.`) and the source file behind it (`index.ts`). */
export interface EntryPoint {
  readonly subpath: string;
  readonly source: string;
}

type ExportTarget = string | { readonly types?: string; readonly default?: string };

/** The package's code entry points: `exports` entries with types, mapped from dist/ back to source. */
export function entryPoints(packageJson = 'package.json'): EntryPoint[] {
  const { exports } = JSON.parse(readFileSync(packageJson, 'utf8')) as {
    exports: Record<string, ExportTarget>;
  };
  return Object.entries(exports).flatMap(([subpath, target]) => {
    if (typeof target === 'string' || target.types === undefined) return [];
    return [{ subpath, source: target.types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts') }];
  });
}

/** One exported symbol; `type` when it exists only at compile time (`export type`, `type X`). */
export interface ExportedSymbol {
  readonly name: string;
  readonly type: boolean;
}

const EXPORT_LIST = /export\s+(type\s+)?\{([^}]*)\}/g;
const EXPORT_DECLARATION =
  /export\s+(?:declare\s+)?(?:(async\s+function|function|const|let|class|enum)|(interface|type))\s+([A-Za-z_$][\w$]*)/g;

/** The symbols `source` exports, sorted by name. */
export function exportedSymbols(source: string): ExportedSymbol[] {
  const text = readFileSync(source, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');
  const symbols: ExportedSymbol[] = [];
  for (const [, typeList = '', names = ''] of text.matchAll(EXPORT_LIST)) {
    for (const item of names.split(',').map((part) => part.trim())) {
      if (item === '') continue;
      const typeOnly = typeList !== '' || item.startsWith('type ');
      const name = item
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .at(-1) as string;
      symbols.push({ name, type: typeOnly });
    }
  }
  for (const [, value, type, name = ''] of text.matchAll(EXPORT_DECLARATION)) {
    symbols.push({ name, type: value === undefined && type !== undefined });
  }
  return symbols.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

if (import.meta.main) {
  let total = 0;
  for (const entry of entryPoints()) {
    const symbols = exportedSymbols(entry.source);
    total += symbols.length;
    const values = symbols.filter((symbol) => !symbol.type).length;
    console.log(`${entry.subpath} (${entry.source}): ${symbols.length} symbols, ${values} values`);
    for (const symbol of symbols) console.log(`  ${symbol.name}${symbol.type ? ' (type)' : ''}`);
  }
  console.log(`total: ${total}`);
}
