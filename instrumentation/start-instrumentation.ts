/**
 * Starts the instrumentation half of embedded Headroom for a resolved configuration: the agent, the
 * span processor, the tracer provider (or the service's own SDK). `start()` in app/ adds the
 * exporters; tests call this directly to leave them out.
 */
import type { Sampler, SpanProcessor } from '@opentelemetry/sdk-trace';
import { Agent, type AgentOptions, type Clock, type LoadSampler } from '../agent/index.ts';
import type { ResolvedConfig } from '../config/index.ts';
import { type EmbeddedHeadroom, wireHeadroom } from './headroom.ts';

/** How the instrumentation meets OpenTelemetry (the SDK half of `start()`'s options). */
export interface InstrumentationOptions {
  /**
   * 'own' (default): Headroom creates the TracerProvider and registers it globally.
   * 'external': your SDK (e.g. NodeSDK) takes `headroom.spanProcessors` and `headroom.sampler()`.
   */
  readonly sdk?: 'own' | 'external';
  /** More span processors (exporters) for the provider Headroom creates; with 'external', listed in `headroom.spanProcessors`. */
  readonly spanProcessors?: readonly SpanProcessor[];
  /** Sampler deciding what is exported; every span is still recorded and counted. */
  readonly sampler?: Sampler;
  /** Register the provider, context manager and propagator globally. @default true */
  readonly registerGlobal?: boolean;
  /** Time source, for tests. @default the system clock */
  readonly clock?: Clock;
  /**
   * Event-loop and CPU signals, for tests. Headroom never closes a sampler given here (reloads
   * keep sampling it); its creator does. @default Node's perf_hooks and process.cpuUsage
   */
  readonly loadSampler?: LoadSampler;
  /** Uniform draws in [0, 1) (admission, client throttles), for tests. @default Math.random */
  readonly random?: () => number;
}

/** How the agent itself runs (internal: cluster mode's composition sets it). */
export interface AgentRole {
  /** See `AgentOptions.budgetLoad`. */
  readonly budgetLoad?: AgentOptions['budgetLoad'];
  /**
   * false: the agent records but never ticks (no evaluation, no decisions of its own): a cluster
   * worker follows its primary's. @default true
   */
  readonly judge?: boolean;
}

/**
 * Sets up OpenTelemetry for `config` and starts the agent (unless `config.enabled` is false: then
 * nothing is recorded and `track()` just runs the function).
 */
export function startInstrumentation(
  config: ResolvedConfig,
  options: InstrumentationOptions = {},
  role: AgentRole = {},
): EmbeddedHeadroom {
  const agent = new Agent({
    config,
    clock: options.clock,
    loadSampler: options.loadSampler,
    budgetLoad: role.budgetLoad,
    random: options.random,
  });
  const headroom = wireHeadroom({
    agent,
    sdk: config.enabled ? (options.sdk ?? 'own') : 'disabled',
    spanProcessors: [...(options.spanProcessors ?? [])],
    sampler: options.sampler,
    registerGlobal: options.registerGlobal ?? true,
    random: options.random,
  });
  if (config.enabled && role.judge !== false) agent.start();
  return headroom;
}
