/**
 * The services a collector-mode agent has heard from, with their `service.namespace` (the tenant
 * a decision-API token may be bound to) and when they were last seen. Bounded: the number of
 * services is capped like series are.
 */
export interface ServiceInfo {
  readonly service: string;
  /** `service.namespace` from the resource; '' when the service sends none. */
  readonly namespace: string;
  /** Last time spans arrived, ms since the epoch. */
  readonly lastSeenMs: number;
}

export class ServiceDirectory {
  readonly #services = new Map<string, ServiceInfo>();
  readonly #maxServices: number;
  #refused = 0;

  constructor(maxServices = 1000) {
    this.#maxServices = maxServices;
  }

  /**
   * Records that `service` (in `namespace`) sent data at `nowMs`; returns false, and counts it,
   * when the directory is full and the service is new.
   */
  note(service: string, namespace: string, nowMs: number): boolean {
    const known = this.#services.get(service);
    if (known === undefined && this.#services.size >= this.#maxServices) {
      this.#refused++;
      return false;
    }
    if (known === undefined || known.namespace !== namespace || known.lastSeenMs !== nowMs) {
      this.#services.set(service, { service, namespace, lastSeenMs: nowMs });
    }
    return true;
  }

  /** The namespace of a known service, or `undefined`. */
  namespaceOf(service: string): string | undefined {
    return this.#services.get(service)?.namespace;
  }

  get(service: string): ServiceInfo | undefined {
    return this.#services.get(service);
  }

  list(): ServiceInfo[] {
    return [...this.#services.values()];
  }

  /** New services refused because the directory was full. */
  get refused(): number {
    return this.#refused;
  }
}
