/**
 * A service's identity: (`service.namespace`, `service.name`), as OpenTelemetry's resource
 * semantic conventions define it ("service.name is unique within a service.namespace"). Two
 * services named `checkout` in namespaces `payments` and `shop` are two services everywhere:
 * series, degradation, SLOs, alerts, metrics, the decision API. A resource without
 * `service.namespace` belongs to the empty namespace `''`. docs/decision-api.md ("Service
 * identity") gives the external shape once, for every feature to use.
 */

/** The identity of one service. */
export interface ServiceId {
  /** `service.namespace`; '' when the resource has none. */
  readonly namespace: string;
  /** `service.name`. */
  readonly service: string;
}

/**
 * A map key for a service: injective (the namespace's length says where it ends, so no character
 * of a name can make two identities collide), built off the record path only.
 * @example serviceKey({ namespace: 'payments', service: 'checkout' }) // '8:payments/checkout'
 */
export function serviceKey(id: ServiceId): string {
  return `${id.namespace.length}:${id.namespace}/${id.service}`;
}

/** A frozen {@link ServiceId}. */
export function serviceId(namespace: string, service: string): ServiceId {
  return Object.freeze({ namespace, service });
}

/**
 * How a service is named in log lines, alert texts and messages: `payments/checkout`, or
 * `checkout` in the empty namespace.
 */
export function formatService(id: ServiceId): string {
  return id.namespace === '' ? id.service : `${id.namespace}/${id.service}`;
}

/** The metric and alert label holding `service.namespace`, next to `service`. */
export const NAMESPACE_LABEL = 'service_namespace';

/**
 * The labels naming a service in metrics and alerts: `service`, and `service_namespace` only when
 * the namespace is not empty (Prometheus stores an absent label and an empty one alike, so
 * `{service_namespace=""}` selects the services without a namespace).
 * @example serviceLabels({ namespace: 'payments', service: 'checkout' }) // { service: 'checkout', service_namespace: 'payments' }
 */
export function serviceLabels(id: ServiceId): Record<string, string> {
  return id.namespace === ''
    ? { service: id.service }
    : { service: id.service, [NAMESPACE_LABEL]: id.namespace };
}

/** Whether two identities are the same service. */
export function sameService(a: ServiceId, b: ServiceId): boolean {
  return a.namespace === b.namespace && a.service === b.service;
}
