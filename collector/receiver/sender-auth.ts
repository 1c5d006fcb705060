/**
 * Authentication of OTLP senders (`receiver.tokens`), as the Collector's `bearertokenauth`
 * extension does on an OTLP receiver: `Authorization: Bearer <token>` on every request, compared in
 * constant time. A token may be bound to one `service.namespace` (a tenant): its requests may only
 * carry resources of that namespace, and a resource without one is attributed to it. Without
 * tokens the receiver is single-tenant: anyone who reaches it may send for any namespace.
 */

import { truncate } from '../../agent/index.ts';
import type { ResolvedConfig } from '../../config/index.ts';
import { BearerTokenSet } from '../bearer-token-set.ts';
import type { DecodedTraces } from './types.ts';

/** The `receiver.tokens` section. */
export type ReceiverTokens = ResolvedConfig['receiver']['tokens'];

/** An authenticated sender. */
export interface Sender {
  /** The token's `name`. */
  readonly name: string;
  /** The only `service.namespace` it may send for; `undefined` for any. */
  readonly namespace?: string;
}

/** Who sent a request: a sender, `anonymous` (no tokens configured), or why it was refused. */
export type SenderOutcome =
  | { readonly ok: true; readonly sender: Sender | undefined }
  | { readonly ok: false; readonly message: string; readonly challenge: string };

const REALM = 'Bearer realm="headroom-receiver"';

/** Checks the `Authorization` header of OTLP requests against `receiver.tokens`. */
export class SenderAuth {
  #tokens!: BearerTokenSet<Sender>;

  constructor(tokens: ReceiverTokens) {
    this.setTokens(tokens);
  }

  /** Replaces the tokens (a reload): the next request is checked against the new ones. */
  setTokens(tokens: ReceiverTokens): void {
    this.#tokens = new BearerTokenSet(
      tokens.map(({ name, token, namespace }) => ({
        token,
        value: Object.freeze(namespace === undefined ? { name } : { name, namespace }),
      })),
    );
  }

  /** Whether senders must authenticate (some token is configured). */
  get enabled(): boolean {
    return this.#tokens.size > 0;
  }

  /** The sender of a request; every request is let through when no token is configured. */
  authenticate(header: string | undefined): SenderOutcome {
    if (!this.enabled) return { ok: true, sender: undefined };
    if (header === undefined || header === '') {
      return {
        ok: false,
        message: 'this receiver needs a bearer token (Authorization: Bearer <token>)',
        challenge: REALM,
      };
    }
    const sender = this.#tokens.lookup(header);
    if (sender !== undefined) return { ok: true, sender };
    return {
      ok: false,
      message: 'the bearer token is malformed or unknown',
      challenge: `${REALM}, error="invalid_token"`,
    };
  }
}

/** The namespaces of a request's resources, checked against its sender's binding. */
export type Binding<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string };

/**
 * Applies a sender's namespace to decoded spans: a resource without `service.namespace` gets the
 * sender's; a resource of another namespace refuses the whole request (the message names the
 * first one). Unbound and anonymous senders keep the resources as they came.
 */
export function bindTraces(traces: DecodedTraces, sender: Sender | undefined): Binding<DecodedTraces> {
  const namespace = sender?.namespace;
  if (namespace === undefined) return { ok: true, value: traces };
  const resources = [];
  for (const [index, resource] of traces.resources.entries()) {
    if (resource.namespace === namespace) resources.push(resource);
    else if (resource.namespace === '') resources.push({ ...resource, namespace });
    else return { ok: false, message: foreignMessage(sender as Sender, index, resource.namespace) };
  }
  return { ok: true, value: { resources, spanCount: traces.spanCount } };
}

/** Checks the `service.namespace` of each metrics resource ('' when it has none) against a sender's binding. */
export function checkMetricNamespaces(
  namespaces: readonly string[],
  sender: Sender | undefined,
): Binding<true> {
  const bound = sender?.namespace;
  if (bound === undefined) return { ok: true, value: true };
  const index = namespaces.findIndex((namespace) => namespace !== '' && namespace !== bound);
  if (index === -1) return { ok: true, value: true };
  return { ok: false, message: foreignMessage(sender as Sender, index, namespaces[index] as string) };
}

/** Longest part of a sender's namespace quoted back in a refusal, characters. */
const QUOTED_LENGTH = 256;

function foreignMessage(sender: Sender, index: number, namespace: string): string {
  // The namespace is the sender's: quote a bounded part, never megabytes back into the reply.
  const quoted =
    namespace.length <= QUOTED_LENGTH
      ? `"${namespace}"`
      : `"${truncate(namespace, QUOTED_LENGTH)}..." (${namespace.length} characters)`;
  return `token "${sender.name}" may only send for service.namespace "${sender.namespace}"; resource ${index} has service.namespace ${quoted}: nothing in this request was accepted`;
}
