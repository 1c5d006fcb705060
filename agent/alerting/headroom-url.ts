/**
 * The `headroom_url` annotation: where the live view shows the service an alert is about,
 * `<ui.externalUrl>/ui/services/<namespace, or _ for none>/<service>` (each name percent-encoded as
 * a path segment). The external URL is configured because the view's own listener usually binds
 * 127.0.0.1, an address the people paged cannot open.
 */
import { NAMESPACE_LABEL } from '../service-id.ts';

/**
 * The link for an alert with `labels`, or `undefined` without an external URL or a `service` label.
 * @example headroomUrl('https://headroom.example.com', { service: 'checkout', service_namespace: 'shop' })
 * // 'https://headroom.example.com/ui/services/shop/checkout'
 */
export function headroomUrl(
  externalUrl: string,
  labels: Readonly<Record<string, string>>,
): string | undefined {
  const service = labels.service;
  if (externalUrl === '' || service === undefined) return undefined;
  const namespace = labels[NAMESPACE_LABEL] ?? '';
  const segment = namespace === '' ? '_' : encodeURIComponent(namespace);
  return `${externalUrl}/ui/services/${segment}/${encodeURIComponent(service)}`;
}
