/**
 * The services the decision API shows a caller: those with a degradation manager or known to the
 * service directory, filtered by the caller's namespace. A service outside it is treated exactly
 * like one that does not exist, so a tenant cannot learn another tenant's service names.
 */
import type { Agent } from '../../agent.ts';
import type { DegradationManager, DegradationState } from '../../degradation/index.ts';
import { truncate } from '../../limits/index.ts';
import type { ServiceDirectory } from '../service-directory.ts';
import type { Principal } from './token-auth.ts';
import type { ServiceSummary } from './types.ts';

/** Options of {@link ServiceCatalog}. */
export interface ServiceCatalogOptions {
  readonly agent: Agent;
  /** Source of each service's namespace; without it every namespace is ''. */
  readonly directory?: ServiceDirectory | undefined;
}

/** Lookups of services, their namespaces and what a caller may see. */
export class ServiceCatalog {
  readonly #agent: Agent;
  readonly #directory: ServiceDirectory | undefined;

  constructor(options: ServiceCatalogOptions) {
    this.#agent = options.agent;
    this.#directory = options.directory;
  }

  /** `service.namespace` of a service; '' when unknown. */
  namespaceOf(service: string): string {
    return this.#directory?.namespaceOf(this.#kept(service)) ?? '';
  }

  /** Whether `principal` may see `service` (it may still not exist). */
  visible(principal: Principal, service: string): boolean {
    return principal.namespace === undefined || this.namespaceOf(service) === principal.namespace;
  }

  /** Services `principal` sees, sorted by name. */
  list(principal: Principal): string[] {
    const names = new Set(this.#agent.services());
    for (const info of this.#directory?.list() ?? []) names.add(info.service);
    return [...names].filter((service) => this.visible(principal, service)).sort();
  }

  /**
   * The manager of a service `principal` sees, or `undefined` when it is unknown or hidden. A
   * service known only to the directory gets its manager now (bounded by the directory's size).
   */
  find(principal: Principal, service: string): DegradationManager | undefined {
    service = this.#kept(service);
    if (!this.visible(principal, service)) return undefined;
    const known = this.#directory?.get(service) !== undefined || this.#agent.services().includes(service);
    return known ? this.#agent.degradation(service) : undefined;
  }

  /** The name a service is kept under: a longer one asked for finds it (limits.nameLength). */
  #kept(service: string): string {
    return truncate(service, this.#agent.registry.limits.nameLength);
  }

  /** The list and stream view of a service. */
  summary(manager: DegradationManager): ServiceSummary {
    return this.summaryOf(manager.state());
  }

  /** The list and stream view of a service's state. */
  summaryOf(state: DegradationState): ServiceSummary {
    return {
      service: state.service,
      namespace: this.namespaceOf(state.service),
      level: state.level,
      overridden: state.overridden,
      since: state.since,
      disabledFeatures: state.disabledFeatures,
    };
  }
}
