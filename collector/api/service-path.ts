/**
 * How a service appears in the decision API's paths (docs/decision-api.md, "Service identity"): a
 * service of the empty namespace at `/api/v1/services/{service}`, any other at
 * `/api/v1/namespaces/{namespace}/services/{service}`, each name one percent-encoded path segment.
 * Two prefixes, rather than `/services/{namespace}/{service}`, keep `.../decisions` and
 * `.../override` from ever being read as a service name.
 */
import { type ServiceId, serviceId } from '../../agent/index.ts';

/** Route parameters of a per-service route. */
export interface ServiceParams {
  /** Absent on the empty namespace's path. */
  readonly namespace?: string;
  readonly service: string;
}

/** The two route patterns of a per-service route; `suffix` is '' or e.g. `/decisions`. */
export function servicePaths(suffix: string): readonly string[] {
  return [`/api/v1/services/:service${suffix}`, `/api/v1/namespaces/:namespace/services/:service${suffix}`];
}

/** The identity a request's path names. */
export function serviceIdOf(params: ServiceParams): ServiceId {
  return serviceId(params.namespace ?? '', params.service);
}
