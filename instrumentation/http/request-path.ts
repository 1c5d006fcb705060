/**
 * The path a request is routed by, from its request target as Node hands it over in `req.url`
 * (RFC 9112 3.2: sent as is, in any of its forms). One function for every place the middleware
 * derives a route from a path (the Express look-ahead, node:http's `routes`, the span's `url.path`),
 * so none of them reads a target differently from the framework: a client sending
 * `GET http://host/reports/1` must land in the same route, and so the same YAML class, as one
 * sending `GET /reports/1`.
 */

/** `scheme://authority` of a target in absolute form (RFC 9112 3.2.2; userinfo, IPv6 included). */
const SCHEME_AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/;

/**
 * The path of a request target, as Express (parseurl's `pathname`) and Fastify route by it:
 * origin form as sent (percent-encoding and duplicate slashes untouched); absolute form without
 * its scheme and authority (`http://u@[::1]:80/a` -> `/a`, `http://host` -> `/`); the asterisk
 * form (`OPTIONS *`) as `*`, which no template matches; the query and a fragment dropped.
 * `/` for a missing or empty target. Never throws.
 */
export function routingPath(target: string | undefined): string {
  if (target === undefined || target === '') return '/';
  const end = target.search(/[?#]/);
  const bare = end === -1 ? target : target.slice(0, end);
  const absolute = SCHEME_AUTHORITY.exec(bare);
  if (absolute === null) return bare === '' ? '/' : bare;
  const path = bare.slice(absolute[0].length);
  return path === '' ? '/' : path;
}

const UNRESERVED = /^[A-Za-z0-9._~-]$/;

/**
 * `path` as lenient routers read it (RFC 3986 6.2.2: percent-encoded unreserved characters decoded,
 * `%2F` kept; duplicate slashes merged; `.` and `..` segments removed, 5.2.4; a trailing slash
 * dropped). For node:http, whose listener may route either way: a target that matches no template
 * as sent is matched again in this form, so `/%72eports/1`, `//reports/1` or `/x/../reports/1`
 * cannot leave its route's class for the default. Never throws.
 */
export function lenientPath(path: string): string {
  const decoded = path.replace(/%[0-9A-Fa-f]{2}/g, (encoded) => {
    const char = String.fromCharCode(Number.parseInt(encoded.slice(1), 16));
    return UNRESERVED.test(char) ? char : encoded;
  });
  const segments: string[] = [];
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return decoded.startsWith('/') ? `/${segments.join('/')}` : segments.join('/');
}
