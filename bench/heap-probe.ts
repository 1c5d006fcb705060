// Preloaded into the agent by bench/cardinality.bench.ts (`--expose-gc --import`): on SIGUSR2 it
// collects garbage (twice: weak references and finalizers settle) and appends the process's memory
// use, bytes, as one JSON line to $HEADROOM_BENCH_HEAP_FILE. It tells retained JavaScript objects
// (heapUsed after a full GC) apart from memory the allocators keep mapped (RSS).
import { appendFileSync } from 'node:fs';

const file = process.env.HEADROOM_BENCH_HEAP_FILE;
const gc = (globalThis as { gc?: () => void }).gc;
if (file !== undefined && gc !== undefined) {
  process.on('SIGUSR2', () => {
    gc();
    gc();
    appendFileSync(file, `${JSON.stringify(process.memoryUsage())}\n`);
  });
}
