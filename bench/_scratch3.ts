import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { start } from '../instrumentation/index.ts';
class StandIn implements SpanProcessor { ended = 0; onStart(){} onEnd(){ this.ended++; } forceFlush(){return Promise.resolve();} shutdown(){return Promise.resolve();} }
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const headroom = start({ config: { service: { name: 'bench' } }, env: {}, registerGlobal: false, spanProcessors: [new StandIn()] });
const work = () => 42;
let sink = 0;
const mode = process.argv[2] ?? 'sync';
const t0 = Date.now();
if (mode === 'sync') { while (Date.now() - t0 < 8000) for (let i = 0; i < 10000; i++) sink += headroom.track('quote', 'routine', work); }
else { const aw = () => Promise.resolve(42); while (Date.now() - t0 < 8000) for (let i = 0; i < 10000; i++) sink += await headroom.track('quote', 'routine', aw); }
console.log(sink > 0);
await headroom.shutdown();
