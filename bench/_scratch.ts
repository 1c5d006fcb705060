import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import {
  createTracerProvider,
  HeadroomSpanProcessor,
  RuleMatcher,
  serviceResource,
  start,
} from '../instrumentation/index.ts';
import { Tracker } from '../instrumentation/tracker.ts';

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
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const headroom = start({
  config: { service: { name: 'bench' } },
  env: {},
  registerGlobal: false,
  spanProcessors: [new StandIn()],
});
const rawProvider = createTracerProvider({
  resource: serviceResource(headroom.agent.config.service),
  spanProcessors: [new StandIn()],
  registerGlobal: false,
});
const rawTracer = rawProvider.getTracer('raw');
const agent = headroom.agent;
const tracker = new Tracker({
  tracer: rawTracer,
  baseBudgetMs: (o, c) => agent.targets.baseBudgetMs(o, c),
  effectiveBudgetMs: (b, c) => agent.budgets.effectiveBudgetMs(b, c),
  hardDeadlineFactor: () => 2,
  phaseShare: () => undefined,
  knownContexts: () => [],
});
const opts = {
  attributes: {
    'headroom.operation': 'quote',
    'headroom.budget.context': 'routine',
    'headroom.budget.ms': 200,
  },
};
const work = () => 42;
let sink = 0;
// capture a finished span
let captured: ReadableSpan | undefined;
const capProvider = createTracerProvider({
  resource: serviceResource(agent.config.service),
  spanProcessors: [
    {
      onStart() {},
      onEnd(s: ReadableSpan) {
        captured = s;
      },
      forceFlush() {
        return Promise.resolve();
      },
      shutdown() {
        return Promise.resolve();
      },
    },
  ],
  registerGlobal: false,
});
capProvider.getTracer('headroom-otel').startActiveSpan('quote', opts, (s) => s.end());
const proc = new HeadroomSpanProcessor({
  recorder: agent,
  rules: new RuleMatcher(agent.config.rules),
  defaultService: 'bench',
});
const series = agent.registry.resolve('bench', 'quote', 'routine', '');
const N = 200000;
const cases: Record<string, () => void> = {
  raw: () => {
    for (let i = 0; i < N; i++)
      sink += rawTracer.startActiveSpan('quote', opts, (s) => {
        const r = work();
        s.end();
        return r;
      });
  },
  trackerOnRaw: () => {
    for (let i = 0; i < N; i++) sink += tracker.track('quote', 'routine', work);
  },
  track: () => {
    for (let i = 0; i < N; i++) sink += headroom.track('quote', 'routine', work);
  },
  onEnd: () => {
    for (let i = 0; i < N; i++) proc.onEnd(captured!);
  },
  agentRecord: () => {
    const t = Date.now();
    for (let i = 0; i < N; i++) agent.record('bench', 'quote', 'routine', '', 0.002, false, t);
  },
  windowRecord: () => {
    const t = Date.now();
    for (let i = 0; i < N; i++) series.window.record(0.002, false, t);
  },
  startSpanOnly: () => {
    for (let i = 0; i < N; i++) {
      const s = rawTracer.startSpan('quote', opts);
      s.end();
    }
  },
};
const only = process.argv[2];
const names = only ? only.split(',') : Object.keys(cases);
const res: Record<string, number[]> = {};
for (let r = 0; r < 12; r++)
  for (const n of names) {
    const t = process.hrtime.bigint();
    cases[n]!();
    const ns = Number(process.hrtime.bigint() - t) / N;
    if (r >= 2) (res[n] ??= []).push(ns);
  }
for (const n of names) {
  const s = res[n]!.sort((a, b) => a - b);
  console.log(n.padEnd(14), s[0]!.toFixed(1), s[Math.floor(s.length / 2)]!.toFixed(1));
}
console.log(sink > 0);
await headroom.shutdown();
const reg = agent.registry;
const more: Record<string, () => void> = {
  resolve4: () => {
    for (let i = 0; i < N; i++) sink += reg.resolve('bench', 'quote', 'routine', '').phase.length;
  },
  resolve3: () => {
    for (let i = 0; i < N; i++) sink += reg.resolve('bench', 'quote', 'routine').phase.length;
  },
  mapGet: () => {
    const m = new Map([['quote', 1]]);
    const k = 'quote';
    for (let i = 0; i < N; i++) sink += m.get(k)!;
  },
};
const res2: Record<string, number[]> = {};
for (let r = 0; r < 12; r++)
  for (const n of Object.keys(more)) {
    const t = process.hrtime.bigint();
    more[n]!();
    const ns = Number(process.hrtime.bigint() - t) / N;
    if (r >= 2) (res2[n] ??= []).push(ns);
  }
for (const n of Object.keys(more)) {
  const s = res2[n]!.sort((a, b) => a - b);
  console.log(n.padEnd(14), s[0]!.toFixed(1), s[Math.floor(s.length / 2)]!.toFixed(1));
}
const more2: Record<string, () => void> = {
  resolveRecord: () => {
    const t = Date.now();
    for (let i = 0; i < N; i++) reg.resolve('bench', 'quote', 'routine', '').window.record(0.002, false, t);
  },
  agentRecord2: () => {
    const t = Date.now();
    for (let i = 0; i < N; i++) agent.record('bench', 'quote', 'routine', '', 0.002, false, t);
  },
  windowRecord2: () => {
    const t = Date.now();
    const w = series.window;
    for (let i = 0; i < N; i++) w.record(0.002, false, t);
  },
};
const res3: Record<string, number[]> = {};
for (let r = 0; r < 12; r++)
  for (const n of Object.keys(more2)) {
    const t = process.hrtime.bigint();
    more2[n]!();
    const ns = Number(process.hrtime.bigint() - t) / N;
    if (r >= 2) (res3[n] ??= []).push(ns);
  }
for (const n of Object.keys(more2)) {
  const s = res3[n]!.sort((a, b) => a - b);
  console.log(n.padEnd(14), s[0]!.toFixed(1), s[Math.floor(s.length / 2)]!.toFixed(1));
}
