/**
 * Route templates for node:http, which has no router: `/users/:id` matches `/users/42` (a `:name`
 * segment is one non-empty path segment), a last segment `*` matches the rest of the path
 * (`/static/*`), any other segment matches itself. The first template that matches names the route.
 */
import { InvalidArgumentError } from '../../errors.ts';

/** A function giving the route template of a request path, `undefined` when none matches. */
export type RouteOfPath = (path: string) => string | undefined;

function segmentPattern(segment: string, last: boolean): string {
  if (segment === '*' && last) return '.*';
  if (segment.startsWith(':') && segment.length > 1) return '[^/]+';
  return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compiles `templates` into one matcher.
 * @throws {InvalidArgumentError} `HEADROOM_ERR_API_INVALID_ARGUMENT` when a template does not start with `/`
 */
export function compileRoutes(templates: readonly string[]): RouteOfPath {
  const compiled = templates.map((template) => {
    if (typeof template !== 'string' || !template.startsWith('/'))
      throw new InvalidArgumentError(
        'routes',
        `budgetListener: route templates start with "/", got ${JSON.stringify(template)}`,
      );
    const segments = template.split('/');
    const body = segments.map((segment, i) => segmentPattern(segment, i === segments.length - 1)).join('/');
    return { template, pattern: new RegExp(`^${body}$`) };
  });
  return (path) => compiled.find((route) => route.pattern.test(path))?.template;
}
