// Where Headroom's overhead on a span goes, in one run (about 15 s):
//   node bench/overhead-breakdown.bench.ts [--json] [--rounds 40] [--warmup 3] [--ops 20000]
// Each case adds one piece of Headroom's work to a raw OpenTelemetry span (same SDK setup and span
// options as bench/overhead.bench.ts): its span processor with series handles that do nothing
// (span reads, classification, the handle's lookup by names), then the window insert, the agent's
// whole handle (adds the drop checks and the cumulative totals), and finally track() itself
// (binding lookup, OperationHandle, runInSpan). Each step is the median of the per-round
// differences with the previous case; the noise of a shared machine is of the same order as one
// step, so read the steps together with their IQR.
import { parseArgs } from 'node:util';
import type { Tracer } from '@opentelemetry/api';
import { type Recorder, RuleMatcher } from '../agent/index.ts';
import { createTracerProvider, HeadroomSpanProcessor, serviceResource } from '../instrumentation/index.ts';
import { type BenchCase, formatTable, measureRounds, median, quantile } from './harness.ts';
import { CONTEXT, createSetups, OPERATION, StandInExporter } from './otel-setup.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '40' },
    warmup: { type: 'string', default: '3' },
    ops: { type: 'string', default: '20000' },
  },
});
const options = {
  rounds: Number(args.rounds),
  warmupRounds: Number(args.warmup),
  opsPerRound: Number(args.ops),
};

const { headroom, rawProvider, rawTracer, spanOptions } = createSetups();
const agent = headroom.agent;
const registry = agent.registry;
let sink = 0; // consumed at the end so no loop can be optimised away
let recorded = 0; // a small integer: counting costs no allocation, unlike summing durations

// Recorders doing a growing part of what the agent does with each finished span. The span
// processor binds one handle per series; these handles are what each case's spans record into.
const nothing: Recorder = {
  series: () => ({
    record: () => {
      recorded++;
    },
  }),
};
const windowOnly: Recorder = {
  series: ({ service, operation, context, phase }) => {
    const { window } = registry.resolve(service, operation, context, phase);
    return { record: (durationMs, isError, endTimeMs) => window.record(durationMs, isError, endTimeMs) };
  },
};

/** A provider like the raw one with Headroom's span processor (fed to `recorder`) in front. */
function tracerRecordingInto(recorder: Recorder): Tracer {
  const processor = new HeadroomSpanProcessor({
    recorder,
    rules: new RuleMatcher(agent.config.rules),
    defaultService: headroom.service,
  });
  return createTracerProvider({
    resource: serviceResource(agent.config.service),
    spanProcessors: [processor, new StandInExporter()],
    registerGlobal: false,
  }).getTracer('bench-breakdown');
}

const work = (): number => 42;

function spanOn(tracer: Tracer): number {
  return tracer.startActiveSpan(OPERATION, spanOptions, (span) => {
    const result = work();
    span.end();
    return result;
  });
}

function spansOn(name: string, tracer: Tracer): BenchCase {
  return {
    name,
    round: (ops) => {
      let sum = 0;
      for (let i = 0; i < ops; i++) sum += spanOn(tracer);
      sink += sum;
    },
  };
}

// Each case after the first adds the work named by its step.
const steps: readonly (readonly [step: string, bench: BenchCase])[] = [
  ['raw OTel span (baseline)', spansOn('raw', rawTracer)],
  ['+ span processor: reads, handle lookup', spansOn('reads', tracerRecordingInto(nothing))],
  ['+ window insert (SlidingWindow.record)', spansOn('window', tracerRecordingInto(windowOnly))],
  ['+ rest of the agent handle (checks, totals)', spansOn('agent', tracerRecordingInto(agent))],
  [
    '+ track(): binding, handle, runInSpan',
    {
      name: 'track',
      round: (ops) => {
        let sum = 0;
        for (let i = 0; i < ops; i++) sum += headroom.track(OPERATION, CONTEXT, work);
        sink += sum;
      },
    },
  ],
];

const { wallNs } = await measureRounds(
  steps.map(([, bench]) => bench),
  options,
);
await headroom.shutdown();
await rawProvider.shutdown();

const baseline = median(wallNs[0]!);
const results = steps.map(([step], i) => {
  const deltas = i === 0 ? [0] : wallNs[i]!.map((ns, round) => ns - wallNs[i - 1]![round]!);
  return {
    step,
    nsPerOp: median(wallNs[i]!),
    stepNs: median(deltas),
    stepP25Ns: quantile(deltas, 0.25),
    stepP75Ns: quantile(deltas, 0.75),
    // Each step's delta from its own paired rounds, over the baseline median.
    stepPctOfRaw: (median(deltas) / baseline) * 100,
  };
});

if (args.json) {
  console.log(JSON.stringify({ node: process.version, ...options, results }, null, 2));
} else {
  console.log(
    `Node ${process.version}, ${options.opsPerRound} ops/round, median of ${options.rounds} interleaved rounds ` +
      `(+${options.warmupRounds} warm-up); step = median of per-round differences with the previous case\n`,
  );
  const rows = results.map((r, i) => [
    r.step,
    r.nsPerOp.toFixed(0),
    i === 0 ? '' : r.stepNs.toFixed(0),
    i === 0 ? '' : `${r.stepP25Ns.toFixed(0)}..${r.stepP75Ns.toFixed(0)}`,
    i === 0 ? '' : `${r.stepPctOfRaw.toFixed(1)} %`,
  ]);
  console.log(formatTable(['case', 'ns/op', 'step ns', 'step IQR', 'step / raw'], rows));
  const total = results.at(-1)!.nsPerOp - baseline;
  console.log(
    `\ntrack() - raw, medians: ${total.toFixed(0)} ns (${((total / baseline) * 100).toFixed(1)} % of raw)`,
  );
}
if (Number.isNaN(sink + recorded)) console.log('unreachable'); // keeps `sink` observable
