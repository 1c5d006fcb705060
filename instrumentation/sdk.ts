/**
 * The OpenTelemetry SDK setup Headroom makes when it owns the SDK (the default): a TracerProvider
 * whose sampler records every span (so every operation is counted) while exporting only what the
 * user's sampler keeps, the AsyncLocalStorage context manager and W3C propagation (trace context,
 * and baggage through Headroom's criticality propagator: the next hop gets the judged class).
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { defaultResource, type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  createAlwaysRecordSampler,
  ParentBasedSampler,
  type Sampler,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_NAMESPACE, ATTR_SERVICE_VERSION } from '../agent/index.ts';
import type { ResolvedConfig } from '../config/index.ts';
import { criticalityPropagator } from './criticality/criticality-propagator.ts';

/** service.name when neither the config nor OTEL_SERVICE_NAME gives one, as the spec says. */
export const UNKNOWN_SERVICE = 'unknown_service:node';

/** The resource of the service, from the resolved config (which already folded in OTEL_*). */
export function serviceResource(service: ResolvedConfig['service']): Resource {
  const attributes: Record<string, string | number | boolean> = { ...service.resourceAttributes };
  attributes[ATTR_SERVICE_NAME] = service.name ?? UNKNOWN_SERVICE;
  if (service.namespace !== undefined) attributes[ATTR_SERVICE_NAMESPACE] = service.namespace;
  if (service.version !== undefined) attributes[ATTR_SERVICE_VERSION] = service.version;
  return defaultResource().merge(resourceFromAttributes(attributes));
}

export interface SdkOptions {
  readonly resource: Resource;
  /** Processors in order; Headroom's own comes first. */
  readonly spanProcessors: SpanProcessor[];
  /** Decides what is exported; every span is recorded regardless. @default parent-based always-on */
  readonly sampler?: Sampler;
  /** Install as the global tracer provider, context manager and propagator. @default true */
  readonly registerGlobal?: boolean;
}

/**
 * `sampler` (default: parent-based always-on, the SDK's own default) wrapped so every span is
 * recorded, and so reaches Headroom's span processor, while only what `sampler` keeps is sampled
 * (exported).
 */
export function recordingSampler(sampler?: Sampler): Sampler {
  return createAlwaysRecordSampler(sampler ?? defaultSampler());
}

/** Parent-based always-on: what the SDK samples when nobody chose. */
export function defaultSampler(): Sampler {
  return new ParentBasedSampler({ root: new AlwaysOnSampler() });
}

/** A TracerProvider for Headroom-owned setups, optionally registered globally. */
export function createTracerProvider(options: SdkOptions): TracerProvider {
  const provider = new TracerProvider({
    resource: options.resource,
    sampler: recordingSampler(options.sampler),
    spanProcessors: options.spanProcessors,
  });
  if (options.registerGlobal ?? true) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(
      new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), criticalityPropagator()] }),
    );
    trace.setGlobalTracerProvider(provider);
  }
  return provider;
}
