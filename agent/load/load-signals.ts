/**
 * Node's own overload signals, read from `perf_hooks` and `process.cpuUsage()`: what the load
 * monitor turns into a budget factor. Named after the semconv metrics
 * `nodejs.eventloop.delay.p99` and `nodejs.eventloop.utilization`.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

/** One reading of the process's load, covering the time since the previous reading. */
export interface LoadSignals {
  /**
   * 99th percentile of the event-loop lag since the previous sample, ms: how late the 10 ms delay
   * timer fired. Node's histogram holds the whole period between ticks; the 10 ms period is
   * subtracted so an idle loop reads about 0 and thresholds mean real lag.
   */
  readonly eventLoopDelayP99Ms: number;
  /** Share of wall time the event loop was busy since the previous sample, 0..1. */
  readonly eventLoopUtilization: number;
  /** Process CPU time (user + system) per wall time since the previous sample; 1 = one core. */
  readonly cpu: number;
}

/** A source of {@link LoadSignals}; each `sample()` covers the time since the previous one. */
export interface LoadSampler {
  /** Reads the signals since the previous call (or since creation) and starts a new interval. */
  sample(): LoadSignals;
  /** Releases what the sampler holds (the event-loop delay histogram); sampling after it is undefined. */
  close(): void;
}

/** Sampling period of the event-loop delay histogram, ms. */
const DELAY_RESOLUTION_MS = 10;
const NS_PER_MS = 1e6;
const US_PER_MS = 1e3;

/**
 * The real sampler: `monitorEventLoopDelay` (10 ms resolution, reset after each sample),
 * `performance.eventLoopUtilization` deltas and `process.cpuUsage` deltas over elapsed wall
 * time. Holds no handle that keeps the process alive (the delay timer is unref'd by Node).
 * Node drops the delay-timer interval that spans each reset, so a block that starts right at a
 * sample is missed: at most one 10 ms interval per sample (about 1 % at a 1 s sample interval).
 * @example
 * const sampler = nodeLoadSampler();
 * const { eventLoopDelayP99Ms } = sampler.sample();
 * sampler.close();
 */
export function nodeLoadSampler(): LoadSampler {
  const histogram = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  histogram.enable();
  let utilization = performance.eventLoopUtilization();
  let cpuUsage = process.cpuUsage();
  let wallMs = performance.now();
  return {
    sample() {
      // An empty histogram reports a bogus percentile: no timer tick since the reset means no delay seen.
      // Node records the whole period between ticks of the 10 ms timer; the lag is what exceeds it.
      const periodP99Ms = histogram.count === 0 ? 0 : histogram.percentile(99) / NS_PER_MS;
      const eventLoopDelayP99Ms = Math.max(0, periodP99Ms - DELAY_RESOLUTION_MS);
      histogram.reset();
      const nowUtilization = performance.eventLoopUtilization();
      const eventLoopUtilization = performance.eventLoopUtilization(nowUtilization, utilization).utilization;
      utilization = nowUtilization;
      const nowCpuUsage = process.cpuUsage();
      const nowWallMs = performance.now();
      const cpuMs = (nowCpuUsage.user - cpuUsage.user + nowCpuUsage.system - cpuUsage.system) / US_PER_MS;
      const elapsedMs = nowWallMs - wallMs;
      cpuUsage = nowCpuUsage;
      wallMs = nowWallMs;
      return { eventLoopDelayP99Ms, eventLoopUtilization, cpu: elapsedMs > 0 ? cpuMs / elapsedMs : 0 };
    },
    close() {
      histogram.disable();
    },
  };
}
