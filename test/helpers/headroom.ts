import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, type Sampler, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { ManualClock } from '../../agent/index.ts';
import { type ConfigOptions, type HeadroomConfigInput, resolveConfig } from '../../config/index.ts';
import {
  type EmbeddedHeadroom,
  type InstrumentationOptions,
  startInstrumentation,
} from '../../instrumentation/index.ts';
import { ScriptedLoad } from './agent.ts';

let contextManagerSet = false;

/** The instrumentation half of `start()` (no exporters, no alerting): config and SDK options in one object. */
export function startInstrumented(options: ConfigOptions & InstrumentationOptions): EmbeddedHeadroom {
  return startInstrumentation(resolveConfig(options), options);
}

/**
 * An embedded Headroom as a service would start it, but not registered globally, with an
 * in-memory exporter standing in for OTLP, a manual clock for ticks and a scripted load.
 */
export function testHeadroom(
  config: HeadroomConfigInput = {},
  options: { sampler?: Sampler; env?: Record<string, string>; random?: () => number } = {},
) {
  if (!contextManagerSet) {
    // Phases are child spans: parent/child links need a real context manager, as in a service.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    contextManagerSet = true;
  }
  const exporter = new InMemorySpanExporter();
  const clock = new ManualClock(Date.now());
  const headroom = startInstrumented({
    config: { service: { name: 'checkout' }, ...config },
    env: options.env ?? {},
    registerGlobal: false,
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    sampler: options.sampler,
    clock,
    loadSampler: new ScriptedLoad(),
    random: options.random,
  });
  return { headroom, exporter, clock };
}
