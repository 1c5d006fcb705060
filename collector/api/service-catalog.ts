/**
 * The services the decision API shows a caller: those with a degradation manager or known to the
 * service directory, filtered by the caller's namespace. A service is a (namespace, name) pair; a
 * service outside the caller's namespace is treated exactly like one that does not exist, so a
 * tenant cannot learn another tenant's service names.
 */
import type { Agent, DegradationManager, DegradationState } from '../../agent/index.ts';
import { type ServiceId, serviceId, serviceKey, truncate } from '../../agent/index.ts';
import type { Principal } from '../../view/index.ts';
import type { ServiceDirectory } from '../service-directory.ts';
import { admissionView, idleAdmissionView } from './admission-views.ts';
import type { AdmissionView, ServiceSummary } from './types.ts';

/** Options of {@link ServiceCatalog}. */
export interface ServiceCatalogOptions {
  readonly agent: Agent;
  /** Services heard from that may have no decision yet; without it only the agent's services show. */
  readonly directory?: ServiceDirectory | undefined;
}

/** Lookups of services and what a caller may see. */
export class ServiceCatalog {
  readonly #agent: Agent;
  readonly #directory: ServiceDirectory | undefined;

  constructor(options: ServiceCatalogOptions) {
    this.#agent = options.agent;
    this.#directory = options.directory;
  }

  /** Whether `principal` may see the service `id` (it may still not exist). */
  visible(principal: Principal, id: ServiceId): boolean {
    return principal.namespace === undefined || id.namespace === principal.namespace;
  }

  /** Services `principal` sees, sorted by namespace, then name. */
  list(principal: Principal): ServiceId[] {
    const all = new Map<string, ServiceId>();
    for (const id of this.#agent.services()) all.set(serviceKey(id), id);
    for (const info of this.#directory?.list() ?? []) {
      const id = { namespace: info.namespace, service: info.service };
      if (!all.has(serviceKey(id))) all.set(serviceKey(id), id);
    }
    return [...all.values()].filter((id) => this.visible(principal, id)).sort(byIdentity);
  }

  /**
   * The manager of a service `principal` sees, or `undefined` when it is unknown or hidden. A
   * service known only to the directory gets its manager now (bounded by the directory's size).
   */
  find(principal: Principal, wanted: ServiceId): DegradationManager | undefined {
    const id = this.#kept(wanted);
    if (!this.visible(principal, id)) return undefined;
    const known = this.#agent.hasService(id.service, id.namespace) || this.#directory?.get(id) !== undefined;
    return known ? this.#agent.degradation(id.service, id.namespace) : undefined;
  }

  /** The names a service is kept under: a longer one asked for finds it (limits.nameLength). */
  #kept(id: ServiceId): ServiceId {
    const length = this.#agent.registry.limits.nameLength;
    return serviceId(truncate(id.namespace, length), truncate(id.service, length));
  }

  /** The list and stream view of a service. */
  summary(manager: DegradationManager): ServiceSummary {
    return this.summaryOf(manager.state());
  }

  /**
   * The admission view of a service the agent holds (e.g. one {@link find} returned, by its
   * manager's `id`, or a decision's service); its controller is created on first use.
   */
  admission(id: ServiceId): AdmissionView {
    const agent = this.#agent;
    return admissionView(agent.admission(id.service, id.namespace).state(), agent.config.admission);
  }

  /** The admission view of a service no controller holds (unknown, hidden or evicted). */
  idleAdmission(id: ServiceId): AdmissionView {
    return idleAdmissionView(id, this.#agent.config.admission);
  }

  /** The list and stream view of a service's state. */
  summaryOf(state: DegradationState): ServiceSummary {
    return {
      namespace: state.namespace,
      service: state.service,
      level: state.level,
      overridden: state.overridden,
      since: state.since,
      disabledFeatures: state.disabledFeatures,
    };
  }
}

function byIdentity(a: ServiceId, b: ServiceId): number {
  return compare(a.namespace, b.namespace) || compare(a.service, b.service);
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
