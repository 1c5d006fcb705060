import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../agent/clock.ts';
import { LoadMonitor, type LoadSampler, type LoadSignals } from '../../../agent/load/index.ts';
import { configSchema, type HeadroomConfigInput } from '../../../config/index.ts';

type AdaptiveInput = NonNullable<HeadroomConfigInput['adaptive']>;
type LoadInput = NonNullable<AdaptiveInput['load']>;

const LEVELS: LoadInput['levels'] = [
  { name: 'elevated', eventLoopDelayP99: '20ms', eventLoopUtilization: '70%', cpu: '150%', factor: 1.2 },
  { name: 'high', eventLoopDelayP99: '50ms', eventLoopUtilization: '85%', factor: 1.5 },
  { name: 'overloaded', eventLoopDelayP99: '200ms', eventLoopUtilization: '95%', factor: 2 },
];
const QUIET: LoadSignals = { eventLoopDelayP99Ms: 1, eventLoopUtilization: 0.1, cpu: 0.1 };
const OVERLOADED: LoadSignals = { eventLoopDelayP99Ms: 250, eventLoopUtilization: 0.99, cpu: 1 };

/** Parsed adaptive config; a fast rate limit unless the test is about the rate limit. */
function adaptiveConfig(load: LoadInput = {}, enabled = true) {
  const input = { enabled, load: { levels: LEVELS, maxChangePerSecond: 100, ...load } };
  return configSchema.parse({ adaptive: input }).adaptive;
}

/** A sampler that returns (or throws) the next scripted reading, then repeats the last one. */
function scriptedSampler(readings: (LoadSignals | Error)[]) {
  const sampler: LoadSampler & { calls: number; closed: boolean } = {
    calls: 0,
    closed: false,
    sample(): LoadSignals {
      const reading = readings[Math.min(sampler.calls++, readings.length - 1)]!;
      if (reading instanceof Error) throw reading;
      return reading;
    },
    close() {
      sampler.closed = true;
    },
  };
  return sampler;
}

/** Starts a monitor on a manual clock and returns the factors after each 1 s sample. */
function factorsOver(readings: LoadSignals[], load: LoadInput = {}): number[] {
  const clock = new ManualClock();
  const monitor = new LoadMonitor({
    config: adaptiveConfig(load),
    clock,
    sampler: scriptedSampler(readings),
  });
  monitor.start();
  return readings.map(() => {
    clock.advance(1000);
    return monitor.factor;
  });
}

function monitorAfter(signals: LoadSignals, load: LoadInput = {}): LoadMonitor {
  const clock = new ManualClock();
  const monitor = new LoadMonitor({
    config: adaptiveConfig(load),
    clock,
    sampler: scriptedSampler([signals]),
  });
  monitor.start();
  clock.advance(1000);
  return monitor;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('LoadMonitor levels', () => {
  it('should stay normal at factor 1 before any sample and while no threshold is reached', () => {
    const clock = new ManualClock();
    const monitor = new LoadMonitor({ config: adaptiveConfig(), clock, sampler: scriptedSampler([QUIET]) });
    expect(monitor.state()).toEqual({ factor: 1, targetFactor: 1, level: 'normal', signals: undefined });
    monitor.start();
    clock.advance(1000);
    expect(monitor.state()).toEqual({ factor: 1, targetFactor: 1, level: 'normal', signals: QUIET });
  });

  const atThreshold: [string, LoadSignals][] = [
    ['event-loop delay p99', { ...QUIET, eventLoopDelayP99Ms: 20 }],
    ['event-loop utilization', { ...QUIET, eventLoopUtilization: 0.7 }],
    ['cpu', { ...QUIET, cpu: 1.5 }],
  ];
  for (const [signal, signals] of atThreshold) {
    it(`should apply a level when its ${signal} threshold is reached exactly`, () => {
      expect(monitorAfter(signals).state()).toEqual({
        factor: 1.2,
        targetFactor: 1.2,
        level: 'elevated',
        signals,
      });
    });
  }

  it('should not apply a level just below all of its thresholds', () => {
    const signals = { eventLoopDelayP99Ms: 19.9, eventLoopUtilization: 0.69, cpu: 1.49 };
    expect(monitorAfter(signals).state()).toEqual({ factor: 1, targetFactor: 1, level: 'normal', signals });
  });

  it('should pick the applying level with the highest factor', () => {
    const signals = { eventLoopDelayP99Ms: 60, eventLoopUtilization: 0.75, cpu: 0 };
    expect(monitorAfter(signals).state()).toEqual({ factor: 1.5, targetFactor: 1.5, level: 'high', signals });
  });

  it('should pick the highest factor whatever order the levels are configured in', () => {
    const monitor = monitorAfter(OVERLOADED, { levels: [...LEVELS].reverse() });
    expect(monitor.state()).toMatchObject({ factor: 2, targetFactor: 2, level: 'overloaded' });
  });

  it('should ignore NaN signals', () => {
    const signals = { eventLoopDelayP99Ms: Number.NaN, eventLoopUtilization: Number.NaN, cpu: Number.NaN };
    expect(monitorAfter(signals).state()).toEqual({ factor: 1, targetFactor: 1, level: 'normal', signals });
  });
});

describe('LoadMonitor clamp', () => {
  it('should clamp the target to maxFactor', () => {
    const monitor = monitorAfter(OVERLOADED, { maxFactor: 1.8 });
    expect(monitor.state()).toEqual({
      factor: 1.8,
      targetFactor: 1.8,
      level: 'overloaded',
      signals: OVERLOADED,
    });
  });

  it('should clamp the target, and the starting factor, to minFactor', () => {
    const clock = new ManualClock();
    const config = adaptiveConfig({ minFactor: 1.1 });
    const monitor = new LoadMonitor({ config, clock, sampler: scriptedSampler([QUIET]) });
    expect(monitor.factor).toBe(1.1);
    monitor.start();
    clock.advance(1000);
    expect(monitor.state()).toEqual({ factor: 1.1, targetFactor: 1.1, level: 'normal', signals: QUIET });
  });
});

describe('LoadMonitor rate limit', () => {
  it('should rise by at most maxChangePerSecond per 1 s sample', () => {
    const readings = Array.from({ length: 6 }, () => OVERLOADED);
    expect(factorsOver(readings, { maxChangePerSecond: 0.25 })).toEqual([1.25, 1.5, 1.75, 2, 2, 2]);
  });

  it('should fall back step by step when the pressure goes', () => {
    const readings = [OVERLOADED, OVERLOADED, QUIET, QUIET, QUIET, QUIET];
    expect(factorsOver(readings, { maxChangePerSecond: 0.5 })).toEqual([1.5, 2, 1.5, 1, 1, 1]);
  });

  it('should land exactly on a target closer than one step', () => {
    const high = { ...QUIET, eventLoopDelayP99Ms: 50 };
    expect(factorsOver([high, high, high], { maxChangePerSecond: 0.2 })).toEqual([1.2, 1.4, 1.5]);
  });

  it('should scale the step with the time elapsed between samples', () => {
    const clock = new ManualClock();
    const config = adaptiveConfig({ sampleInterval: '2s', maxChangePerSecond: 0.25 });
    const monitor = new LoadMonitor({ config, clock, sampler: scriptedSampler([OVERLOADED]) });
    monitor.start();
    clock.advance(1999);
    expect(monitor.factor).toBe(1);
    clock.advance(1);
    expect(monitor.state()).toEqual({
      factor: 1.5,
      targetFactor: 2,
      level: 'overloaded',
      signals: OVERLOADED,
    });
  });
});

describe('LoadMonitor failures and lifecycle', () => {
  it('should keep the factor when the sampler throws, warn once, and carry on when it recovers', () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const failure = new Error('perf_hooks unavailable');
    const readings = [OVERLOADED, failure, failure, QUIET];
    const clock = new ManualClock();
    const config = adaptiveConfig({ maxChangePerSecond: 0.25 });
    const monitor = new LoadMonitor({ config, clock, sampler: scriptedSampler(readings) });
    monitor.start();
    clock.advance(1000);
    const afterFirst = { factor: 1.25, targetFactor: 2, level: 'overloaded', signals: OVERLOADED };
    expect(monitor.state()).toEqual(afterFirst);
    clock.advance(2000);
    expect(monitor.state()).toEqual(afterFirst);
    expect(warn.mock.calls).toEqual([['headroom: load sampling failed; keeping the load factor', failure]]);
    // The 3 s since the last good sample allow 0.75 of change: enough to fall from 1.25 to 1.
    clock.advance(1000);
    expect(monitor.state()).toEqual({ factor: 1, targetFactor: 1, level: 'normal', signals: QUIET });
  });

  it('should stay at factor 1 and never sample when adaptive scaling is disabled', () => {
    const clock = new ManualClock();
    const sampler = scriptedSampler([OVERLOADED]);
    const monitor = new LoadMonitor({ config: adaptiveConfig({ minFactor: 1.5 }, false), clock, sampler });
    monitor.start();
    clock.advance(5000);
    monitor.tick();
    expect(monitor.state()).toEqual({ factor: 1, targetFactor: 1, level: 'normal', signals: undefined });
    expect(sampler.calls).toBe(0);
  });

  it('should stop sampling, close the sampler once, and refuse to restart', () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const clock = new ManualClock();
    const sampler = scriptedSampler([OVERLOADED]);
    const monitor = new LoadMonitor({ config: adaptiveConfig(), clock, sampler });
    monitor.start();
    clock.advance(1000);
    monitor.stop();
    monitor.stop();
    monitor.start();
    clock.advance(5000);
    monitor.tick();
    expect({ calls: sampler.calls, closed: sampler.closed, factor: monitor.factor }).toEqual({
      calls: 1,
      closed: true,
      factor: 2,
    });
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('should sample on tick() without start()', () => {
    const clock = new ManualClock();
    const sampler = scriptedSampler([OVERLOADED]);
    const monitor = new LoadMonitor({ config: adaptiveConfig({ maxChangePerSecond: 0.25 }), clock, sampler });
    clock.advance(2000);
    monitor.tick();
    expect(monitor.factor).toBe(1.5);
  });
});

describe('LoadMonitor sampler ownership', () => {
  it('should leave a sampler it does not own open on stop()', () => {
    const clock = new ManualClock();
    const sampler = scriptedSampler([OVERLOADED]);
    const monitor = new LoadMonitor({ config: adaptiveConfig(), clock, sampler, ownsSampler: false });
    monitor.start();
    clock.advance(1000);
    monitor.stop();
    clock.advance(5000);
    expect({ calls: sampler.calls, closed: sampler.closed, factor: monitor.factor }).toEqual({
      calls: 1,
      closed: false,
      factor: 2,
    });
  });
});
