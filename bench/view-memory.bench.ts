// Memory and CPU of the live view's history rings (ui.history), the part of the view that grows
// with the number of operations: an agent with SERIES whole operations (each with samples), the
// view sampling them on the agent's tick. Measured after a full GC: the heap and ArrayBuffer bytes
// the rings add per operation (typed arrays plus their JS objects and map entries) against the
// arrays' own 44 bytes per point, the bytes freed when every series is evicted, and the CPU of one
// resolution step per operation: the view's tick listeners (verdict cache, sampling every
// operation's window: the evaluator's snapshot of the same tick is reused), and the whole tick
// with and without the view.
//   node bench/view-memory.bench.ts
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Agent, ManualClock } from '../agent/index.ts';
import { parseConfig } from '../config/index.ts';
import { createLiveView, PendingBudget, StreamQuota, TokenAuth } from '../view/index.ts';

const SERIES = 10_000;
const STEPS = 12;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function usedBytes(): number {
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

const yaml = `window: { length: 1m, resolution: 1s, maxSeries: ${SERIES} }\nlimits: { idleTime: 1h, services: 1000, operations: 1000 }\nui: { enabled: true }\nevaluation: { minSamples: 1 }\n`;
const config = parseConfig([{ file: 'bench.yaml', text: yaml }], {});
const clock = new ManualClock(1_700_000_000_000);
const agent = new Agent({ config, clock, processLoad: false });
const handles = Array.from({ length: SERIES }, (_, i) =>
  agent.series({ service: `svc-${i % 100}`, operation: `op-${i}`, context: 'routine' }),
);
/** One sample per operation now: every window stays busy, as under steady traffic. */
const recordAll = () => {
  for (const [i, handle] of handles.entries()) handle.record(20 + (i % 60), false, clock.now());
};
recordAll();
agent.tick();

/** Median ms of `STEPS` ticks, each one resolution step after the last. */
function stepTicks(): number {
  const stepsMs: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    clock.advance(config.ui.history.resolutionMs);
    recordAll();
    const started = process.hrtime.bigint();
    agent.tick();
    stepsMs.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const sorted = stepsMs.sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const withoutViewMs = stepTicks();
const before = usedBytes();
// The view's own share of a tick: its tick listeners run between these two.
let listenersStarted = 0n;
const viewMs: number[] = [];
agent.onTick(() => {
  listenersStarted = process.hrtime.bigint();
});
const view = createLiveView({
  agent,
  ui: config.ui,
  auth: new TokenAuth(config.api),
  quota: new StreamQuota({ maxStreams: 1, maxStreamsPerToken: 1 }),
  budget: new PendingBudget(config.api.maxPendingBytes),
});
agent.onTick(() => viewMs.push(Number(process.hrtime.bigint() - listenersStarted) / 1e6));
const withViewMs = stepTicks();
const withRings = usedBytes();
const rings = view.history.size;
const arrays = view.history.bytes;
clock.advance(config.limits.idleTimeMs + config.window.lengthMs);
agent.tick(); // every series idle: evicted, and its ring freed
const afterEviction = usedBytes();
view.close();

const perRing = (withRings - before) / rings;
const samplingMs = [...viewMs].sort((a, b) => a - b)[Math.floor(viewMs.length / 2)] ?? 0;
console.log(`operations with a ring                 ${rings}`);
console.log(
  `points per ring                        ${config.ui.history.lengthMs / config.ui.history.resolutionMs}`,
);
console.log(`typed arrays per ring                  ${arrays / rings} bytes (44 per point)`);
console.log(`measured per ring (heap + buffers)     ${Math.round(perRing)} bytes`);
console.log(`rings left after eviction              ${view.history.size === 0 ? 0 : view.history.size}`);
console.log(`freed at eviction (series and rings)   ${Math.round((withRings - afterEviction) / 1024)} KiB`);
console.log(
  `tick at a step, without / with view    ${withoutViewMs.toFixed(1)} / ${withViewMs.toFixed(1)} ms (median of ${STEPS})`,
);
console.log(
  `the view's share of a step's tick       ${samplingMs.toFixed(1)} ms for ${rings} operations, ${((samplingMs * 1e6) / rings).toFixed(0)} ns each (median)`,
);
