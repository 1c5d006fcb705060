import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { RuleMatcher } from '../agent/index.ts';
import {
  createTracerProvider,
  HeadroomSpanProcessor,
  serviceResource,
  start,
} from '../instrumentation/index.ts';
import { Tracker } from '../instrumentation/tracker.ts';
import { measureRounds, median, pairedRatios, quantile } from './harness.ts';

class StandIn implements SpanProcessor {
  ended = 0;
  onStart() {}
  onEnd() {
    this.ended++;
  }
  forceFlush() {
    return Promise.resolve();
  }
  shutdown() {
    return Promise.resolve();
  }
}
class Empty implements SpanProcessor {
  onStart() {}
  onEnd() {}
  forceFlush() {
    return Promise.resolve();
  }
  shutdown() {
    return Promise.resolve();
  }
}
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const headroom = start({
  config: { service: { name: 'bench' } },
  env: {},
  registerGlobal: false,
  spanProcessors: [new StandIn()],
});
const agent = headroom.agent;
const resource = serviceResource(agent.config.service);
const mk = (ps: SpanProcessor[]) =>
  createTracerProvider({ resource, spanProcessors: ps, registerGlobal: false }).getTracer('headroom-otel');
const rawTracer = mk([new StandIn()]);
const twoTracer = mk([new Empty(), new StandIn()]);
const procTracer = mk([
  new HeadroomSpanProcessor({
    recorder: agent,
    rules: new RuleMatcher(agent.config.rules),
    defaultService: 'bench',
  }),
  new StandIn(),
]);
const trackerOn = (tracer: Tracer) =>
  new Tracker({
    tracer,
    baseBudgetMs: (o, c) => agent.targets.baseBudgetMs(o, c),
    effectiveBudgetMs: (b, c) => agent.budgets.effectiveBudgetMs(b, c),
    hardDeadlineFactor: () => 2,
    phaseShare: () => undefined,
    knownContexts: () => [],
  });
const trackerRaw = trackerOn(rawTracer);
const opts = {
  attributes: {
    'headroom.operation': 'quote',
    'headroom.budget.context': 'routine',
    'headroom.budget.ms': 200,
  },
};
const battrs: Record<string, string | number> = {
  ['headroom.operation']: 'quote',
  ['headroom.budget.context']: 'routine',
};
battrs['headroom.budget.ms'] = agent.targets.baseBudgetMs('quote', 'routine')!;
const bopts = { attributes: battrs };
function bspan(t: Tracer) {
  return t.startActiveSpan('quote', bopts, (s) => {
    const r = work();
    s.end();
    return r;
  });
}
const work = () => 42;
let sink = 0;
function span(t: Tracer) {
  return t.startActiveSpan('quote', opts, (s) => {
    const r = work();
    s.end();
    return r;
  });
}
const cases = [
  {
    name: 'raw',
    round: (n: number) => {
      for (let i = 0; i < n; i++) sink += span(rawTracer);
    },
  },
  {
    name: 'raw binding-attrs',
    round: (n: number) => {
      for (let i = 0; i < n; i++) sink += bspan(rawTracer);
    },
  },
  {
    name: 'raw+emptyproc',
    round: (n: number) => {
      for (let i = 0; i < n; i++) sink += span(twoTracer);
    },
  },
  {
    name: 'raw+headroomproc',
    round: (n: number) => {
      for (let i = 0; i < n; i++) sink += span(procTracer);
    },
  },
  {
    name: 'tracker on raw',
    round: (n: number) => {
      for (let i = 0; i < n; i++) sink += trackerRaw.track('quote', 'routine', work);
    },
  },
  {
    name: 'track',
    round: (n: number) => {
      for (let i = 0; i < n; i++) sink += headroom.track('quote', 'routine', work);
    },
  },
];
const both = await measureRounds(cases, {
  opsPerRound: Number(process.argv[3] ?? 50000),
  warmupRounds: 3,
  rounds: Number(process.argv[2] ?? 15),
});
for (const [label, per] of [
  ['wall', both.wallNs],
  ['cpu', both.cpuNs],
] as const) {
  console.log(label);
  cases.forEach((c, i) => {
    const r = pairedRatios(per[i]!, per[0]!);
    const d = per[i]!.map((v, k) => v - per[0]![k]!);
    console.log(
      c.name.padEnd(18),
      'min',
      Math.min(...per[i]!).toFixed(0),
      'med',
      median(per[i]!).toFixed(0),
      'ratio',
      median(r).toFixed(3),
      `[${quantile(r, 0.25).toFixed(3)}..${quantile(r, 0.75).toFixed(3)}]`,
      'diff ns',
      median(d).toFixed(0),
    );
  });
}
await headroom.shutdown();
