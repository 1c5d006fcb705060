import { stringify } from 'yaml';
import { Agent, type LoadSampler, type LoadSignals, ManualClock } from '../../agent/index.ts';
import { type HeadroomConfigInput, parseConfig } from '../../config/index.ts';

/** A load sampler that reports whatever the test sets; idle by default. */
export class ScriptedLoad implements LoadSampler {
  signals: LoadSignals = { eventLoopDelayP99Ms: 0, eventLoopUtilization: 0, cpu: 0 };
  sample(): LoadSignals {
    return this.signals;
  }
  close(): void {}
}

/** A resolved config from inline input, as a YAML file would give it (no environment). */
export function configOf(input: HeadroomConfigInput = {}) {
  return parseConfig([{ file: 'test.yaml', text: stringify(input) }], {});
}

/** An agent on a manual clock with a scripted load sampler. */
export function testAgent(input: HeadroomConfigInput = {}) {
  const clock = new ManualClock(1_700_000_000_000);
  const load = new ScriptedLoad();
  const agent = new Agent({ config: configOf(input), clock, loadSampler: load });
  return { agent, clock, load };
}

/**
 * Records `count` samples of `durationMs` for one series, spread over the last second before the
 * clock's now (so they land in the current window slot).
 */
export function recordMany(
  agent: Agent,
  clock: ManualClock,
  series: { namespace?: string; service?: string; operation: string; context: string; phase?: string },
  durationMs: number,
  count: number,
  isError = false,
): void {
  const end = clock.now();
  const handle = agent.series({ ...series, service: series.service ?? 'svc' });
  for (let i = 0; i < count; i++) handle.record(durationMs, isError, end - (i % 900));
}
