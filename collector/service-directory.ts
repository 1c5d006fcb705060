/**
 * The services collector mode has heard from, by identity (`service.namespace`,
 * `service.name`: the namespace is the tenant a decision-API token may be bound to), and when they
 * were last seen. A resource announcing a known name with another namespace is another service: it
 * never moves the existing one. Bounded through the agent's
 * {@link CardinalityLimits}: `limits.services` services and `limits.namespaces` namespaces; a
 * service idle for `limits.idleTime` whose state the agent has dropped is evicted, so the room
 * comes back after a burst of short-lived or hostile services.
 */
import type { Agent } from '../agent/index.ts';
import { CardinalityLimits, OVERFLOW, type ServiceId, serviceKey } from '../agent/index.ts';

export interface ServiceInfo extends ServiceId {
  /** Last time spans arrived, ms since the epoch. */
  readonly lastSeenMs: number;
}

/** Options of a {@link ServiceDirectory}. */
export interface ServiceDirectoryOptions {
  /** Caps and name lengths, shared with the agent's series. @default 1000 services, 100 namespaces */
  readonly limits?: CardinalityLimits;
}

export class ServiceDirectory {
  /** By {@link serviceKey}. */
  readonly #services = new Map<string, ServiceInfo>();
  /** namespace -> how many services are in it. */
  readonly #namespaces = new Map<string, number>();
  readonly #limits: CardinalityLimits;
  #refused = 0;
  readonly #evictListeners = new Set<(id: ServiceId) => void>();

  constructor(options: ServiceDirectoryOptions = {}) {
    this.#limits = options.limits ?? new CardinalityLimits({ max: { service: 1000, namespace: 100 } });
  }

  /**
   * Records that `service` (in `namespace`) sent data at `nowMs`, names truncated to the limits;
   * returns false, and counts it, when the service is new and the services or the namespaces are
   * at their cap. {@link admit} says under which identity it is kept.
   */
  note(service: string, namespace: string, nowMs: number): boolean {
    return this.admit(service, namespace, nowMs) !== undefined;
  }

  /**
   * As {@link note}, returning the identity the service is kept under (its names cut to
   * `limits.nameLength`), or `undefined` when it was refused. Whatever the receiver keeps about a
   * sender (series, clock skew) must use this identity, never the sender's raw names.
   */
  admit(service: string, namespace: string, nowMs: number): ServiceId | undefined {
    service = this.#limits.name('service', service);
    namespace = this.#limits.name('namespace', namespace);
    const key = serviceKey({ namespace, service });
    const known = this.#services.get(key);
    if (known !== undefined) {
      if (known.lastSeenMs !== nowMs) this.#services.set(key, { ...known, lastSeenMs: nowMs });
      return known;
    }
    if (
      this.#limits.admit('service', this.#services, key) === OVERFLOW ||
      (namespace !== '' && this.#limits.admit('namespace', this.#namespaces, namespace) === OVERFLOW)
    ) {
      this.#refused++;
      return undefined;
    }
    this.#namespaces.set(namespace, (this.#namespaces.get(namespace) ?? 0) + 1);
    const info = { namespace, service, lastSeenMs: nowMs };
    this.#services.set(key, info);
    return info;
  }

  /**
   * Calls `listener` with each service {@link evictIdle} forgets, so that what others keep per
   * service (e.g. the receiver's clock-skew estimates) goes with it. Returns the unsubscribe function.
   */
  onEvict(listener: (id: ServiceId) => void): () => void {
    this.#evictListeners.add(listener);
    return () => this.#evictListeners.delete(listener);
  }

  /** A known service, or `undefined`. */
  get(id: ServiceId): ServiceInfo | undefined {
    return this.#services.get(serviceKey(id));
  }

  list(): ServiceInfo[] {
    return [...this.#services.values()];
  }

  /** Services known now. */
  get size(): number {
    return this.#services.size;
  }

  /** Distinct namespaces of the known services ('' left out). */
  get namespaces(): number {
    return this.#namespaces.size - (this.#namespaces.has('') ? 1 : 0);
  }

  /** New services refused because the directory was full (services or namespaces). */
  get refused(): number {
    return this.#refused;
  }

  /**
   * Forgets the services last seen at or before `cutoffMs` that `held` does not claim (the agent
   * still keeps their level, series or alerts); returns them.
   */
  evictIdle(cutoffMs: number, held: (id: ServiceId) => boolean): ServiceInfo[] {
    const evicted: ServiceInfo[] = [];
    for (const [key, info] of this.#services) {
      if (info.lastSeenMs > cutoffMs || held(info)) continue;
      this.#services.delete(key);
      this.#leave(info.namespace);
      evicted.push(info);
    }
    for (const info of evicted) for (const listener of this.#evictListeners) listener(info);
    return evicted;
  }

  #leave(namespace: string): void {
    const count = (this.#namespaces.get(namespace) ?? 1) - 1;
    if (count === 0) this.#namespaces.delete(namespace);
    else this.#namespaces.set(namespace, count);
  }
}

/**
 * Ties a directory to its agent: a service's state stays while the directory saw it within
 * `limits.idleTime`, and after each tick (the agent's own sweep done) the directory forgets the
 * services idle that long whose state the agent dropped. Returns the function that unties them.
 */
export function connectDirectory(agent: Agent, directory: ServiceDirectory): () => void {
  const stopHolding = agent.addServiceActivity(
    (id) => directory.get(id)?.lastSeenMs ?? Number.NEGATIVE_INFINITY,
  );
  const stopSweeping = agent.onTick(({ at }) => {
    directory.evictIdle(at - agent.config.limits.idleTimeMs, (id) =>
      agent.holdsService(id.service, id.namespace),
    );
  });
  return () => {
    stopHolding();
    stopSweeping();
  };
}
