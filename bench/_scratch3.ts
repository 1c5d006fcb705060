import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { createTracerProvider, serviceResource, start } from '../instrumentation/index.ts';

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
const rawTracer = createTracerProvider({
  resource: serviceResource(headroom.agent.config.service),
  spanProcessors: [new StandIn()],
  registerGlobal: false,
}).getTracer('raw');
const opts = {
  attributes: {
    'headroom.operation': 'quote',
    'headroom.budget.context': 'routine',
    'headroom.budget.ms': 200,
  },
};
const work = () => 42;
let sink = 0;
const mode = process.argv[2] ?? 'track';
const N = Number(process.argv[3] ?? 2_000_000);
const t = process.hrtime.bigint();
if (mode === 'track') for (let i = 0; i < N; i++) sink += headroom.track('quote', 'routine', work);
else
  for (let i = 0; i < N; i++)
    sink += rawTracer.startActiveSpan('quote', opts, (s) => {
      const r = work();
      s.end();
      return r;
    });
console.log(mode, Number(process.hrtime.bigint() - t) / N, 'ns/op');
await headroom.shutdown();
