/**
 * Measuring helpers shared by the benchmarks (not a benchmark itself: `bench/run.ts` only runs
 * `*.bench.ts`). Rounds are interleaved case by case so a noisy neighbour slows every case alike.
 */

/** One measured case: `round(ops)` runs `ops` operations (returns a promise for async cases). */
export interface BenchCase {
  readonly name: string;
  readonly round: (ops: number) => void | Promise<void>;
}

export interface MeasureOptions {
  readonly opsPerRound: number;
  /** Untimed rounds first, so every case is optimised before timing starts. */
  readonly warmupRounds: number;
  readonly rounds: number;
}

/** Per case, the ns/op of each timed round, in round order. */
export interface RoundTimes {
  /** Wall-clock time (`process.hrtime.bigint()`). */
  readonly wallNs: number[][];
  /**
   * CPU time of the main thread (`process.threadCpuUsage()`, µs resolution): leaves out the time
   * the thread waited for a core and the work of GC helper threads, but not the slowdown from busy
   * neighbours sharing caches (on a shared 2-vCPU VM it was about as noisy as wall time).
   */
  readonly cpuNs: number[][];
}

/**
 * Runs every case `warmupRounds + rounds` times, interleaved (A, B, C, then B, C, A, ...: the
 * starting case rotates so none always runs right after the same neighbour and pays for its
 * garbage).
 */
export async function measureRounds(
  cases: readonly BenchCase[],
  options: MeasureOptions,
): Promise<RoundTimes> {
  const wallNs = cases.map((): number[] => []);
  const cpuNs = cases.map((): number[] => []);
  for (let r = 0; r < options.warmupRounds + options.rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const index = (r + k) % cases.length;
      const cpuStart = process.threadCpuUsage();
      const start = process.hrtime.bigint();
      const pending = cases[index]!.round(options.opsPerRound);
      if (pending !== undefined) await pending;
      const elapsedNs = Number(process.hrtime.bigint() - start);
      const cpu = process.threadCpuUsage(cpuStart);
      if (r < options.warmupRounds) continue;
      wallNs[index]!.push(elapsedNs / options.opsPerRound);
      cpuNs[index]!.push(((cpu.user + cpu.system) * 1000) / options.opsPerRound);
    }
  }
  return { wallNs, cpuNs };
}

/** The `q` quantile (0..1) of `samples`, interpolated between the closest ranks. */
export function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

/**
 * The per-round ratios `a[i] / b[i]`. Both cases of a round ran within a second of each other, so a
 * ratio cancels the slow drift of a shared machine that a ratio of two medians keeps.
 */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  return a.map((value, i) => value / b[i]!);
}

/** Rows as a plain aligned table (first column left-aligned, the others right-aligned). */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}
