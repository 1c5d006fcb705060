/**
 * The import graph between Headroom's top-level folders (DESIGN.md, "Layout"): which folder
 * imports which, how often, and the imports that break the rules (against the flow, or into
 * another folder's internals rather than its `index.ts`).
 *
 * Run `npm run import-graph` to print it; test/architecture/import-flow.test.ts asserts it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** The product's top-level stages, in data-flow order; `errors.ts`, `node-version.ts` and `index.ts` sit at the root. */
export const STAGES = [
  'config',
  'agent',
  'storage',
  'instrumentation',
  'exporters',
  'view',
  'collector',
  'app',
] as const;

/** What each stage may import (besides itself and the root `errors.ts`, `node-version.ts`). Only app/ wires them together. */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  config: [],
  agent: ['config'],
  storage: ['agent', 'config'],
  instrumentation: ['agent', 'config'],
  exporters: ['agent', 'config'],
  view: ['agent', 'config'],
  collector: ['agent', 'config', 'view'],
  app: ['agent', 'config', 'storage', 'instrumentation', 'exporters', 'view', 'collector'],
  '.': ['app', 'agent', 'config', 'instrumentation', 'exporters'],
};

/** One relative import crossing a folder boundary. */
export interface CrossImport {
  readonly from: string;
  readonly to: string;
  /** Importing file, relative to the root. */
  readonly file: string;
  /** Imported file, relative to the root. */
  readonly target: string;
}

const IMPORT = /(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g;

function stageOf(file: string): string {
  const first = file.split(sep)[0] ?? '.';
  return file.includes(sep) ? first : '.';
}

function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(root, path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Every import from one stage into another, in the product's source (not tests, benches or examples). */
export function crossImports(root: string): CrossImport[] {
  // Root files: index.ts, errors.ts and the other entry points (prom-client.ts, ...); not configs.
  const rootFiles = readdirSync(root).filter((name) => name.endsWith('.ts') && !name.includes('.config.'));
  const files = [...rootFiles, ...STAGES.flatMap((stage) => sourceFiles(root, stage))];
  const out: CrossImport[] = [];
  for (const file of files) {
    for (const match of readFileSync(join(root, file), 'utf8').matchAll(IMPORT)) {
      const target = relative(root, resolve(root, dirname(file), match[1] as string));
      const from = stageOf(file);
      const to = stageOf(target);
      if (from !== to) out.push({ from, to, file, target });
    }
  }
  return out;
}

/** The imports that break the rules, one sentence each; empty when the layout holds. */
export function violations(imports: readonly CrossImport[]): string[] {
  const out: string[] = [];
  for (const i of imports) {
    if (i.to === '.') {
      // node-version.ts: each entry point of the package (subpath exports too) imports it first.
      if (i.target !== 'errors.ts' && i.target !== 'node-version.ts')
        out.push(
          `${i.file} imports ${i.target}: only errors.ts and node-version.ts are shared from the root`,
        );
      continue;
    }
    if (!(ALLOWED[i.from] ?? []).includes(i.to)) {
      out.push(`${i.file} imports ${i.target}: ${i.from}/ may not depend on ${i.to}/`);
    } else if (!i.target.endsWith(`${sep}index.ts`)) {
      out.push(`${i.file} imports ${i.target}: reach another folder through an index.ts`);
    }
  }
  return out;
}

if (import.meta.main) {
  const root = resolve(import.meta.dirname, '..');
  const imports = crossImports(root);
  const counts = new Map<string, number>();
  for (const i of imports) counts.set(`${i.from} -> ${i.to}`, (counts.get(`${i.from} -> ${i.to}`) ?? 0) + 1);
  for (const [edge, n] of [...counts].sort()) console.log(`${edge}\t${n}`);
  const bad = violations(imports);
  for (const line of bad) console.log(`VIOLATION ${line}`);
  process.exitCode = bad.length === 0 ? 0 : 1;
}
