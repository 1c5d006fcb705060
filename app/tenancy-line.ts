import type { ResolvedConfig } from '../config/index.ts';

/** What the startup log says about sender authentication, the basis of tenant isolation. */
export function tenancyLine(tokens: ResolvedConfig['receiver']['tokens']): string {
  if (tokens.length === 0) {
    return 'single-tenant: receiver.tokens is empty, so any sender can send for any service.namespace (set receiver.tokens to authenticate senders and bind them to namespaces)';
  }
  const namespaces = [
    ...new Set(tokens.flatMap((token) => (token.namespace === undefined ? [] : [token.namespace]))),
  ];
  const unbound = tokens.filter((token) => token.namespace === undefined).length;
  const bound = namespaces.length === 0 ? 'none bound to a namespace' : `namespaces ${namespaces.join(', ')}`;
  const any = unbound === 0 ? '' : `; ${unbound} unbound (any namespace)`;
  return `multi-tenant: the receiver authenticates senders with ${tokens.length} bearer token${tokens.length === 1 ? '' : 's'} (${bound}${any})`;
}
