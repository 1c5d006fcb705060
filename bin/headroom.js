#!/usr/bin/env node
// The CLI runs the compiled code: dist/, which the package ships (`npm pack` builds it: `prepack`).
// The Node.js version is checked first: on an older Node the compiled code fails while it is
// linked (node:zlib has no zstd before 22.15), with a stack trace instead of one clear line. So
// the compiled code is imported only after the check, and this file stays plain old JavaScript.
import { readFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
/** `engines.node` is `>=MAJOR.MINOR.PATCH` (test/cli/node-version.test.ts holds it to that form). */
const minimum = manifest.engines.node.slice(2).split('.').map(Number);
const current = process.versions.node.split('.').map(Number);
const index = minimum.findIndex((part, i) => part !== current[i]);

if (index !== -1 && current[index] < minimum[index]) {
  process.stderr.write(
    `headroom: Node.js ${minimum.join('.')} or later is required; this is Node.js ${process.versions.node} (${process.execPath})\n`,
  );
  process.exitCode = 1;
} else {
  const compiled = new URL('../dist/app/cli/main.js', import.meta.url);
  const { main } = await import(compiled.href).catch((error) => {
    // A checkout of the repository that was never built (the package ships dist/).
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || error.url !== compiled.href) throw error;
    process.stderr.write('headroom: dist/ is not built: run `npm run build` in the repository\n');
    return { main: async () => 1 };
  });
  process.exitCode = await main(process.argv.slice(2));
}
