// Cost of the record path alone, per finished span, in one run (about 20 s):
//   node bench/record-path.bench.ts [--json] [--rounds 25] [--warmup 3] [--ops 200000]
// What the span processor and the OTLP ingest do with a span once it has ended: classify it, find
// its series, drop-check and record it. "lookup per span" is the path before issue 11 (a
// `{ operation, context, phase }` target built per span, then `SeriesRegistry.resolve` by five
// names, as `Agent.record` did); "bound handle" is today's (`classifySpan` returns the handle kept
// by `SeriesHandles`). "series held" writes to a series resolved beforehand: the floor (drop checks,
// window insert, totals). Spans cycle through 14 shapes of one service (4 operations, their phases
// and 2 rule-matched routes, as the SDK hands them over), end times advance 0.1 ms per span so
// every window rotates. Each case records into its own agent; ratios are medians of per-round
// ratios of main-thread CPU time (waiting for a core does not count).
import { parseArgs } from 'node:util';
import { type Attributes, SpanKind } from '@opentelemetry/api';
import {
  Agent,
  ATTR_BUDGET_CONTEXT,
  ATTR_OPERATION,
  ATTR_PHASE,
  classifySpan,
  ManualClock,
  type MatchableSpan,
  RuleMatcher,
  SeriesHandles,
} from '../agent/index.ts';
import { parseConfig } from '../config/index.ts';
import { type BenchCase, formatTable, measureRounds, median, pairedRatios, quantile } from './harness.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '25' },
    warmup: { type: 'string', default: '3' },
    ops: { type: 'string', default: '200000' },
  },
});
const options = {
  rounds: Number(args.rounds),
  warmupRounds: Number(args.warmup),
  opsPerRound: Number(args.ops),
};

const SERVICE = 'checkout';
const SCOPE = 'app';
const START_MS = 1_700_000_000_000;
const config = parseConfig(
  [
    {
      file: 'bench.yaml',
      text: 'rules:\n  - match: { kind: server, spanNamePattern: "^GET /api/" }\n    context: routine\n',
    },
  ],
  {},
);
const rules = new RuleMatcher(config.rules);

/** The spans of one service as the SDK hands them over: operation spans, phase spans, HTTP routes. */
const spans: MatchableSpan[] = [];
for (const [operation, context] of [
  ['quote', 'emergency'],
  ['checkout', 'routine'],
  ['search', 'routine'],
  ['report', 'deliberative'],
] as const) {
  spans.push(
    span(operation, SpanKind.INTERNAL, { [ATTR_BUDGET_CONTEXT]: context, 'headroom.budget.ms': 50 }),
  );
  for (const phase of ['routing', 'execution']) {
    const attributes = { [ATTR_OPERATION]: operation, [ATTR_BUDGET_CONTEXT]: context, [ATTR_PHASE]: phase };
    spans.push(span(phase, SpanKind.INTERNAL, attributes));
  }
}
spans.push(span('GET /api/cart', SpanKind.SERVER, { 'http.route': '/api/cart' }));
spans.push(span('GET /api/items', SpanKind.SERVER, { 'http.route': '/api/items' }));

function span(name: string, kind: SpanKind, attributes: Attributes): MatchableSpan {
  return { name, kind, attributes };
}

function newAgent(): Agent {
  return new Agent({ config, clock: new ManualClock(START_MS) });
}

let sink = 0; // consumed at the end so no loop can be optimised away

/** A case recording every span through `recordSpan`, with end times advancing 0.1 ms per span. */
function recordCase(
  name: string,
  recordSpan: (span: MatchableSpan, durationMs: number, endMs: number) => void,
): BenchCase {
  let endMs = START_MS;
  return {
    name,
    round: (ops) => {
      let end = endMs;
      for (let i = 0; i < ops; i++) {
        recordSpan(spans[i % spans.length]!, 1 + (i & 63), end);
        end += 0.1;
      }
      endMs = end;
      sink += ops;
    },
  };
}

// Before: Agent.record(service, operation, context, phase, durationMs, isError, endTimeMs, namespace)
// after classifySpan built a target, as the span processor called it.
const before = newAgent();
const beforeMaxDurationMs = before.config.window.maxSpanDurationMs;
function lookupPerSpan(one: MatchableSpan, durationMs: number, endMs: number): void {
  const target = classifyToTarget(one);
  if (target === undefined) return;
  if (durationMs > beforeMaxDurationMs || endMs < Number.NEGATIVE_INFINITY) return;
  const series = before.registry.resolve(SERVICE, target.operation, target.context, target.phase, '');
  if (series.window.record(durationMs, false, endMs)) series.totals.record(durationMs, false);
}

/** classifySpan as it was: a new `{ operation, context, phase }` per span. */
function classifyToTarget(
  one: MatchableSpan,
): { operation: string; context: string; phase: string } | undefined {
  const attributes = one.attributes;
  const context = attributes[ATTR_BUDGET_CONTEXT];
  if (typeof context === 'string') {
    const operation = attributes[ATTR_OPERATION];
    const phase = attributes[ATTR_PHASE];
    return {
      operation: typeof operation === 'string' ? operation : one.name,
      context,
      phase: typeof phase === 'string' ? phase : '',
    };
  }
  const match = rules.match(SERVICE, one, '');
  return match === undefined
    ? undefined
    : { operation: match.operation ?? one.name, context: match.context, phase: '' };
}

const after = newAgent();
const service = new SeriesHandles(after).of(SERVICE, '');
function boundHandle(one: MatchableSpan, durationMs: number, endMs: number): void {
  classifySpan(service, one, SCOPE, rules)?.record(durationMs, false, endMs);
}

const held = newAgent();
const heldHandles = new Map(
  spans.map(
    (one) => [one, classifySpan(new SeriesHandles(held).of(SERVICE, ''), one, SCOPE, rules)] as const,
  ),
);
function seriesHeld(one: MatchableSpan, durationMs: number, endMs: number): void {
  heldHandles.get(one)?.record(durationMs, false, endMs);
}

const BASELINE = 'lookup per span (before)';
const cases = [
  recordCase(BASELINE, lookupPerSpan),
  recordCase('bound handle (after)', boundHandle),
  recordCase('series held (floor, + a Map.get)', seriesHeld),
];
const { cpuNs } = await measureRounds(cases, options);
const byName = new Map(cases.map((c, i) => [c.name, cpuNs[i]!]));
const ratio = (name: string) => {
  const each = pairedRatios(byName.get(name)!, byName.get(BASELINE)!);
  return { median: median(each), p25: quantile(each, 0.25), p75: quantile(each, 0.75) };
};
const counts = [before, after, held].map((agent) =>
  agent.registry.list().reduce((n, s) => n + s.totals.count, 0),
);

if (args.json) {
  const results = cases.map((c) => ({
    case: c.name,
    cpuNsPerSpan: median(byName.get(c.name)!),
    vsBefore: ratio(c.name),
  }));
  console.log(JSON.stringify({ node: process.version, ...options, results, recorded: counts }, null, 2));
} else {
  console.log(
    `Node ${process.version}, ${options.opsPerRound} spans per round over ${spans.length} shapes, median of ` +
      `${options.rounds} interleaved rounds (+${options.warmupRounds} warm-up), main-thread CPU time\n`,
  );
  const rows = cases.map((c) => {
    const r = ratio(c.name);
    return [
      c.name,
      median(byName.get(c.name)!).toFixed(1),
      `${r.median.toFixed(2)}x (${r.p25.toFixed(2)}-${r.p75.toFixed(2)})`,
    ];
  });
  console.log(formatTable(['case', 'CPU ns/span', `vs ${BASELINE} (IQR)`], rows));
  console.log(`\nsamples recorded per case (equal when every case did the same work): ${counts.join(', ')}`);
}
if (Number.isNaN(sink)) console.log('unreachable'); // keeps `sink` observable
