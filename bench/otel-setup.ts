/**
 * The two OpenTelemetry setups the overhead benchmarks compare (not a benchmark itself): an
 * embedded Headroom, and a "raw" TracerProvider built by the same `createTracerProvider` with
 * the same stand-in exporting processor, resource and span options, and no Headroom in it.
 */
import { context, type SpanOptions, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { resolveConfig } from '../config/index.ts';
import {
  createTracerProvider,
  type EmbeddedHeadroom,
  HEADROOM_SCOPE,
  serviceResource,
  startInstrumentation,
} from '../instrumentation/index.ts';

/** Operation and budget context every benchmarked span uses. */
export const OPERATION = 'quote';
export const CONTEXT = 'routine';

/** Stands in for the exporting processor in both setups: counts ended spans, exports nothing. */
export class StandInExporter implements SpanProcessor {
  ended = 0;
  onStart(): void {}
  onEnd(): void {
    this.ended++;
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface BenchSetups {
  readonly headroom: EmbeddedHeadroom;
  readonly headroomExporter: StandInExporter;
  /** Provider without Headroom; shut it down at the end. */
  readonly rawProvider: TracerProvider;
  readonly rawTracer: Tracer;
  readonly rawExporter: StandInExporter;
  /** The very SpanOptions object track() passes for (OPERATION, CONTEXT). */
  readonly spanOptions: SpanOptions;
}

let contextManagerSet = false;

/** Both setups, with the AsyncLocalStorage context manager installed globally (once). */
export function createSetups(): BenchSetups {
  if (!contextManagerSet) {
    // startActiveSpan then does real context work in both setups, as in a service.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    contextManagerSet = true;
  }
  const headroomExporter = new StandInExporter();
  const headroom = startInstrumentation(resolveConfig({ config: { service: { name: 'bench' } }, env: {} }), {
    registerGlobal: false,
    spanProcessors: [headroomExporter],
  });
  const rawExporter = new StandInExporter();
  const rawProvider = createTracerProvider({
    resource: serviceResource(headroom.agent.config.service),
    spanProcessors: [rawExporter],
    registerGlobal: false,
  });
  const spanOptions = trackSpanOptions(headroom);
  headroomExporter.ended = 0; // the capture above tracked one operation
  return {
    headroom,
    headroomExporter,
    rawProvider,
    rawTracer: rawProvider.getTracer('bench-raw'),
    rawExporter,
    spanOptions,
  };
}

/**
 * The SpanOptions object track() passes to startActiveSpan, captured from one call. The raw
 * baseline reuses that very object rather than a literal with the same attributes: the SDK copies
 * attributes with Object.entries, whose cost depends on the object's hidden class, and a literal
 * with the same three keys measured about 10 % slower per span, which would flatter Headroom.
 * The SDK Tracer's prototype is patched for that one call, before anything is warmed up.
 */
function trackSpanOptions(headroom: EmbeddedHeadroom): SpanOptions {
  const tracer = headroom.tracerProvider?.getTracer(HEADROOM_SCOPE);
  if (tracer === undefined) throw new Error('bench: Headroom did not create its TracerProvider');
  const prototype = Object.getPrototypeOf(tracer) as { startActiveSpan: (...args: unknown[]) => unknown };
  const original = prototype.startActiveSpan;
  let captured: SpanOptions | undefined;
  prototype.startActiveSpan = function capture(this: unknown, ...args: unknown[]): unknown {
    captured = args[1] as SpanOptions;
    return original.apply(this, args);
  };
  try {
    headroom.track(OPERATION, CONTEXT, () => 0);
  } finally {
    prototype.startActiveSpan = original;
  }
  if (captured === undefined) throw new Error('bench: track() did not call startActiveSpan');
  return captured;
}
