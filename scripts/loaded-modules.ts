/**
 * What importing a module loads: run `node scripts/loaded-modules.ts <module>` and it prints, as
 * JSON, the npm packages and the `node:` built-ins resolved while importing it, the package's own
 * top-level folders it loaded, and the import time in ms. test/architecture/embedded-import.test.ts pins the list for `import 'headroom-otel'`.
 */
import { registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';

const resolved = new Set<string>();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    resolved.add(result.url);
    return result;
  },
});

const target = process.argv[2];
if (target === undefined) {
  console.error('usage: node scripts/loaded-modules.ts <file or package>');
  process.exit(2);
}
const started = performance.now();
await import(target.startsWith('.') || target.startsWith('/') ? pathToFileURL(target).href : target);
const importMs = performance.now() - started;

const packages = new Set<string>();
for (const url of resolved) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (match) packages.add(match[1] as string);
}
const builtins = [...resolved].filter((url) => url.startsWith('node:')).sort();
// The package's own top-level folders loaded (view/ only once the live view is enabled).
const root = new URL('..', import.meta.url).href;
const folders = new Set<string>();
for (const url of resolved) {
  if (!url.startsWith(root) || url.includes('/node_modules/')) continue;
  const rest = url.slice(root.length);
  if (rest.includes('/')) folders.add(rest.split('/')[0] as string);
}
console.log(
  JSON.stringify({
    importMs: Math.round(importMs),
    packages: [...packages].sort(),
    builtins,
    folders: [...folders].sort(),
  }),
);
