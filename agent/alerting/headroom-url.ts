/**
 * The `headroom_url` annotation: where the live view shows the service an alert is about,
 * `<ui.externalUrl>/ui/services/<namespace>/<service>`, each name one path segment as the page reads
 * it (view/static/format.js `servicePath`): `_` for the empty name; a name starting with `_`, or `.`
 * or `..`, gets one more `_` in front (so `_` is `__` and no name is a dot segment a browser
 * resolves away); then percent-encoded. The external URL is configured because the view's own listener usually binds
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
  return `${externalUrl}/ui/services/${nameSegment(labels[NAMESPACE_LABEL] ?? '')}/${nameSegment(service)}`;
}

/**
 * One name as a path segment of the live view (see above); the page decodes it back. Total: a name
 * that is not well-formed UTF-16 (a lone surrogate, which OTLP/JSON can carry) is encoded with
 * U+FFFD in its place, as a UTF-8 decoder would, never a `URIError`.
 */
function nameSegment(name: string): string {
  if (name === '') return '_';
  const segment = name.startsWith('_') || name === '.' || name === '..' ? `_${name}` : name;
  return encodeURIComponent(segment.toWellFormed());
}
