/**
 * What stalls a process of `bench/shedding.bench.ts` (not a benchmark itself): read once a second
 * in the service and in the load generator, so the per-second table shows whether a slow second
 * was the service's event loop, a GC pause, the agent's tick or the load generator itself.
 * Cheap on purpose: a 10 ms event-loop delay histogram (`monitorEventLoopDelay`), GC pauses from a
 * `PerformanceObserver` of 'gc' entries (not `--trace-gc`, whose synchronous stderr writes cost
 * enough to lower the measured capacity) and `process.memoryUsage()` once a second.
 */
import { readFileSync } from 'node:fs';
import {
  constants,
  monitorEventLoopDelay,
  type PerformanceEntry,
  PerformanceObserver,
} from 'node:perf_hooks';

/** One process over one second: its event loop, its GC pauses and its heap. */
export interface ProcessSecond {
  /** The longest event-loop delay of the second (how late a 10 ms timer fired), ms. */
  readonly loopMaxMs: number;
  /** 99th percentile of the event-loop delay, ms. */
  readonly loopP99Ms: number;
  /** Time spent in GC pauses (all kinds) during the second, ms. */
  readonly gcMs: number;
  /** The longest GC pause of the second, ms. */
  readonly gcMaxMs: number;
  /** Major (mark-compact) collections during the second. */
  readonly gcMajor: number;
  /** V8 heap used at the end of the second, MiB. */
  readonly heapMiB: number;
  /** CPU time of the process (all its threads: GC helpers too) per wall time; 1 = one core. */
  readonly cpu: number;
  /**
   * How long the main thread (the event loop) was runnable but waiting for a CPU during the second,
   * ms (Linux /proc/self/schedstat run_delay; NaN elsewhere): the machine's share of a stall.
   */
  readonly runQueueMs: number;
}

const RESOLUTION_MS = 10;
const NS_PER_MS = 1e6;

/** Samples this process's event-loop delay and GC pauses; {@link StallProbe.read} returns and resets them. */
export class StallProbe {
  readonly #histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  readonly #observer: PerformanceObserver;
  #gcMs = 0;
  #gcMaxMs = 0;
  #gcMajor = 0;
  #cpu = process.cpuUsage();
  #wallMs = performance.now();
  #runDelayNs = runDelayNs();

  constructor() {
    this.#histogram.enable();
    this.#observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        this.#gcMs += entry.duration;
        this.#gcMaxMs = Math.max(this.#gcMaxMs, entry.duration);
        const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
        if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) this.#gcMajor++;
      }
    });
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  /** The second since the previous read (or since creation); starts the next one. */
  read(): ProcessSecond {
    const h = this.#histogram;
    // Node records the whole period between ticks of the 10 ms timer; the delay is what exceeds it.
    const delay = (ns: number) => (h.count === 0 ? 0 : Math.max(0, ns / NS_PER_MS - RESOLUTION_MS));
    const second: ProcessSecond = {
      loopMaxMs: delay(h.max),
      loopP99Ms: delay(h.percentile(99)),
      gcMs: this.#gcMs,
      gcMaxMs: this.#gcMaxMs,
      gcMajor: this.#gcMajor,
      heapMiB: process.memoryUsage().heapUsed / 2 ** 20,
      cpu: this.#cpuShare(),
      runQueueMs: this.#runQueueMs(),
    };
    h.reset();
    this.#gcMs = 0;
    this.#gcMaxMs = 0;
    this.#gcMajor = 0;
    return second;
  }

  #cpuShare(): number {
    const [cpu, wallMs] = [process.cpuUsage(), performance.now()];
    const cpuMs = (cpu.user - this.#cpu.user + cpu.system - this.#cpu.system) / 1000;
    const share = wallMs > this.#wallMs ? cpuMs / (wallMs - this.#wallMs) : 0;
    [this.#cpu, this.#wallMs] = [cpu, wallMs];
    return share;
  }

  #runQueueMs(): number {
    const now = runDelayNs();
    const waitedMs = (now - this.#runDelayNs) / NS_PER_MS;
    this.#runDelayNs = now;
    return waitedMs;
  }

  close(): void {
    this.#histogram.disable();
    this.#observer.disconnect();
  }
}

/** The main thread's time spent runnable but not running since it started, ns (NaN off Linux). */
function runDelayNs(): number {
  try {
    return Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[1]);
  } catch {
    return Number.NaN;
  }
}

/** The machine's idle CPU share since the previous call (Linux /proc/stat; NaN elsewhere), 0..1. */
export function machineIdle(): () => number {
  let last = readStat();
  return () => {
    const now = readStat();
    const total = now.total - last.total;
    const idle = total > 0 ? (now.idle - last.idle) / total : Number.NaN;
    last = now;
    return idle;
  };
}

function readStat(): { total: number; idle: number } {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8')
      .split('\n', 1)[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    // user nice system idle iowait irq softirq steal: idle + iowait are idle time.
    return { total: cpu.slice(0, 8).reduce((a, b) => a + b, 0), idle: cpu[3]! + cpu[4]! };
  } catch {
    return { total: Number.NaN, idle: Number.NaN };
  }
}
