// Runs every bench/*.bench.ts in sequence, each in its own Node process (so one benchmark's JIT
// state and garbage never leak into the next), streaming their output: `npm run bench`.
//   node bench/run.ts [name-filter ...] [-- args passed to every benchmark]
// e.g. `node bench/run.ts overhead -- --json`. Exits non-zero when any benchmark fails.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

const benchDir = import.meta.dirname;
const separator = process.argv.indexOf('--');
const filters = process.argv.slice(2, separator === -1 ? undefined : separator);
const passedArgs = separator === -1 ? [] : process.argv.slice(separator + 1);

const files = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();

/** Runs one benchmark with the same Node (and its flags); resolves with its exit code. */
function runBenchmark(file: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, join(benchDir, file), ...passedArgs], {
      stdio: 'inherit',
    });
    child.on('error', (error) => {
      console.error(`bench: could not start ${file}: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

if (files.length === 0) {
  console.error(`bench: no *.bench.ts in ${benchDir} matches ${filters.join(', ')}`);
  process.exitCode = 1;
}
const failed: string[] = [];
for (const file of files) {
  // With --json the headers would break the JSON stream: they go to stderr.
  console.error(`\n=== ${basename(file, '.ts')} ===`);
  const startedMs = performance.now();
  const code = await runBenchmark(file);
  const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
  console.error(
    `=== ${basename(file, '.ts')}: ${code === 0 ? 'done' : `failed (exit ${code})`} in ${seconds} s ===`,
  );
  if (code !== 0) failed.push(file);
}
if (failed.length > 0) {
  console.error(`bench: ${failed.length} of ${files.length} failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
