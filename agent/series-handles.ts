/**
 * Series handles kept by the names a span gives, so the span processor and the OTLP receiver bind
 * each (service, operation, context, phase) once and then find its handle in two map lookups on
 * strings whose hash V8 has already computed. Bounded: past `maxHandles` the cache starts over.
 */
import type { Criticality } from './admission/criticality.ts';
import type { Recorder, SeriesHandle } from './recorder.ts';

/** What {@link releaseOnEviction} needs of the agent. */
export interface EvictionSource {
  readonly seriesEvicted: number;
  onTick(listener: () => void): () => void;
}

/**
 * Starts `handles` over after every tick that evicted series, so no kept handle holds an evicted
 * series (and its window) alive: idle eviction gives the memory back. Live series are bound again
 * at their next span, one lookup each. Returns the unsubscribe function.
 */
export function releaseOnEviction(handles: SeriesHandles, agent: EvictionSource): () => void {
  let evicted = agent.seriesEvicted;
  return agent.onTick(() => {
    if (agent.seriesEvicted === evicted) return;
    evicted = agent.seriesEvicted;
    handles.clear();
  });
}

/** Options of a {@link SeriesHandles}. */
export interface SeriesHandlesOptions {
  /**
   * Most handles kept; the next one clears the cache (handles are cheap to bind again), so endless
   * names cannot grow memory. @default 10000
   */
  readonly maxHandles?: number;
}

/** The handles of every service a caller records for. */
export class SeriesHandles {
  readonly #recorder: Recorder;
  readonly #maxHandles: number;
  // namespace -> service: looked up once per resource, not per span.
  #byNamespace = new Map<string, Map<string, ServiceHandles>>();
  #count = 0;
  /** `epoch` is bumped when the cache starts over: a {@link ServiceHandles} held since empties itself. */
  readonly #shared: Shared = { epoch: 0 };

  constructor(recorder: Recorder, options: SeriesHandlesOptions = {}) {
    this.#recorder = recorder;
    this.#maxHandles = options.maxHandles ?? 10_000;
  }

  /** Handles held. */
  get size(): number {
    return this.#count;
  }

  /**
   * The handles of one service; keep it for the spans of one resource.
   * @param namespace `service.namespace` of the service; '' when none
   */
  of(service: string, namespace = ''): ServiceHandles {
    // Attached at its first handle (see `bind`): a service never bound costs nothing kept.
    return (
      this.#byNamespace.get(namespace)?.get(service) ??
      new HandlesOfService(this.#bind, this.#shared, service, namespace)
    );
  }

  /** Drops every handle: a {@link ServiceHandles} held since empties itself at its next lookup. */
  clear(): void {
    this.#byNamespace = new Map();
    this.#count = 0;
    this.#shared.epoch++;
  }

  /** Puts `handles` in the lookup; returns it. */
  #attach(handles: HandlesOfService): HandlesOfService {
    let byService = this.#byNamespace.get(handles.namespace);
    if (byService === undefined) {
      byService = new Map();
      this.#byNamespace.set(handles.namespace, byService);
    }
    byService.set(handles.service, handles);
    return handles;
  }

  /**
   * A new handle for `owner` to keep, counted. When the cache is full it starts over first;
   * `owner` is (re)attached, emptied, when it was not counted in the current epoch.
   */
  readonly #bind: Bind = (owner, operation, context, phase, criticality) => {
    if (this.#count >= this.#maxHandles) this.clear();
    const { epoch } = this.#shared;
    if (owner.epoch !== epoch) this.#attach(owner).reset(epoch);
    this.#count++;
    const { service, namespace } = owner;
    const names = { namespace, service, operation, context, phase };
    return this.#recorder.series(criticality === undefined ? names : { ...names, criticality });
  };
}

/** What a {@link SeriesHandles} shares with its services. */
interface Shared {
  epoch: number;
}

type Bind = (
  owner: HandlesOfService,
  operation: string,
  context: string,
  phase: string,
  criticality: Criticality | undefined,
) => SeriesHandle;

/** The handles of one service's operations in one context: the whole operation and its phases. */
interface OperationHandles {
  whole: SeriesHandle | undefined;
  phases: Map<string, SeriesHandle> | undefined;
}

/** The handles of one service, by context, operation and phase. Get it from {@link SeriesHandles.of}. */
export interface ServiceHandles {
  readonly service: string;
  /** '' when none. */
  readonly namespace: string;
  /**
   * The handle of (operation, context, phase) of this service, bound on first use.
   * @param phase '' for the whole operation
   * @param criticality the class of the rule that matched the span, bound with the handle (the
   *   first span's wins); @default the series' class from YAML (see `SeriesNames.criticality`)
   */
  handle(operation: string, context: string, phase: string, criticality?: Criticality): SeriesHandle;
}

class HandlesOfService implements ServiceHandles {
  readonly service: string;
  readonly namespace: string;
  readonly #bind: Bind;
  readonly #shared: Shared;
  #byContext = new Map<string, Map<string, OperationHandles>>();
  /** The owner's epoch this service was attached and counted in; -1 before its first handle. */
  epoch = -1;

  constructor(bind: Bind, shared: Shared, service: string, namespace: string) {
    this.#bind = bind;
    this.#shared = shared;
    this.service = service;
    this.namespace = namespace;
  }

  /** Drops every handle and joins the owner's `epoch`. */
  reset(epoch: number): void {
    this.#byContext = new Map();
    this.epoch = epoch;
  }

  handle(operation: string, context: string, phase: string, criticality?: Criticality): SeriesHandle {
    // Since the owner started over, what this service holds is stale: `bind` empties it.
    if (this.epoch !== this.#shared.epoch) return this.#add(operation, context, phase, criticality);
    const entry = this.#byContext.get(context)?.get(operation);
    const found = phase === '' ? entry?.whole : entry?.phases?.get(phase);
    return found ?? this.#add(operation, context, phase, criticality);
  }

  #add(
    operation: string,
    context: string,
    phase: string,
    criticality: Criticality | undefined,
  ): SeriesHandle {
    const handle = this.#bind(this, operation, context, phase, criticality);
    // After `bind`, which may have emptied this service's maps.
    let byOperation = this.#byContext.get(context);
    if (byOperation === undefined) {
      byOperation = new Map();
      this.#byContext.set(context, byOperation);
    }
    let entry = byOperation.get(operation);
    if (entry === undefined) {
      entry = { whole: undefined, phases: undefined };
      byOperation.set(operation, entry);
    }
    if (phase === '') entry.whole = handle;
    else {
      entry.phases ??= new Map();
      entry.phases.set(phase, handle);
    }
    return handle;
  }
}
