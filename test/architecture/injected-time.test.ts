/**
 * Time is injected (DESIGN.md, "Conventions"; STYLE.md 20): product code reads the time and
 * schedules work through a `Clock` (agent/clock.ts), so tests drive it with a ManualClock. The few
 * places that call the runtime's timers or clocks directly are listed here, each with its reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const PRODUCT_FOLDERS = ['agent', 'collector', 'config', 'exporters', 'instrumentation', 'app'];
const DIRECT_TIME = /\b(setTimeout|setInterval|Date\.now|performance\.now|AbortSignal\.timeout)\(/g;

/** Files allowed to call the runtime's time directly: most calls allowed, and why. */
const ALLOWED: Readonly<Record<string, readonly [number, string]>> = {
  'agent/clock.ts': [3, 'the system clock itself'],
  'agent/agent.ts': [2, 'measures its own evaluation cost in real time (a manual clock would read 0)'],
  'agent/load/load-signals.ts': [2, 'measures the real event loop and CPU over real elapsed time'],
  'collector/receiver/export-core.ts': [2, 'measures its own decoding cost in real time'],
  'instrumentation/operation-handle.ts': [1, "the time left is measured on the span's own clock (the SDK's)"],
  'instrumentation/headroom.ts': [1, "the shutdown bound: ref'd on purpose, the caller awaits it"],
  'app/collector-shutdown.ts': [4, "the shutdown bound: ref'd on purpose, the caller awaits it"],
  'app/state-checkpoints.ts': [
    4,
    'measures its own checkpoint cost in real time (a manual clock would read 0)',
  ],
  'app/cli/collector-command.ts': [
    2,
    "the process-exit backstop of a real process; a ref'd timer keeping it alive while the start waits for the store's lock",
  ],
  'app/cli/top-command.ts': [
    1,
    "keeps the process alive while it waits to reconnect (ref'd on purpose); the wait runs on the clock",
  ],
  'app/demo/demo-service.ts': [1, 'the demo plays in real time for a person to watch'],
  'exporters/delivery/within.ts': [
    1,
    "keeps the process alive while a caller awaits a bound (ref'd on purpose); the bound runs on the clock",
  ],
};

function productFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(folder, name));
}

/** Calls of the runtime's time per file, comments left out. */
function directTimeCalls(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const file of PRODUCT_FOLDERS.flatMap(productFiles)) {
    const code = readFileSync(join(root, file), 'utf8')
      .split('\n')
      .filter((line) => !/^\s*(\/\/|\/?\*)/.test(line))
      .join('\n');
    const count = code.match(DIRECT_TIME)?.length ?? 0;
    if (count > 0) counts[relative(root, join(root, file))] = count;
  }
  return counts;
}

describe('time in product code', () => {
  it('should come from a Clock, but in the listed files, each within its count', () => {
    const beyond = Object.entries(directTimeCalls())
      .filter(([file, count]) => count > (ALLOWED[file]?.[0] ?? 0))
      .map(
        ([file, count]) => `${file}: ${count} direct calls; take the time from a Clock, or list it with why`,
      );
    expect(beyond).toEqual([]);
  });
});
