/**
 * Bearer-token authorization of the decision API: tokens from the `api.tokens` config, each with
 * scopes and optionally a namespace (tenant); anonymous access gets the `api.anonymous` scopes.
 * Tokens are compared as SHA-256 digests with `timingSafeEqual`, against every configured token,
 * so neither a token's length nor its position leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiConfig, Scope } from './types.ts';

/** Who is calling, once authenticated. */
export interface Principal {
  /** The token's `name`, or `anonymous`. */
  readonly name: string;
  readonly scopes: ReadonlySet<Scope>;
  /** The only `service.namespace` this caller sees; `undefined` sees every service. */
  readonly namespace?: string;
}

/** An authorization failure, ready to be sent. */
export interface AuthFailure {
  readonly status: 401 | 403;
  readonly code: 'unauthorized' | 'forbidden';
  readonly message: string;
  /** The `WWW-Authenticate` header (RFC 6750). */
  readonly challenge: string;
}

/** The outcome of {@link TokenAuth.authorize}. */
export type AuthOutcome =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly failure: AuthFailure };

const REALM = 'Bearer realm="headroom"';
const BEARER = /^Bearer +([^\s]+) *$/i;

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Checks `Authorization` headers against the configured tokens. */
export class TokenAuth {
  readonly #tokens: readonly { readonly digest: Buffer; readonly principal: Principal }[];
  readonly #anonymous: Principal;

  constructor(config: Pick<ApiConfig, 'tokens' | 'anonymous'>) {
    this.#tokens = config.tokens.map((token) => ({
      digest: digest(token.token),
      principal: Object.freeze({
        name: token.name,
        scopes: new Set(token.scopes),
        ...(token.namespace === undefined ? {} : { namespace: token.namespace }),
      }),
    }));
    this.#anonymous = Object.freeze({ name: 'anonymous', scopes: new Set(config.anonymous) });
  }

  /** Authorizes a request needing `scope` from its `Authorization` header. */
  authorize(header: string | undefined, scope: Scope): AuthOutcome {
    if (header === undefined || header === '') {
      if (this.#anonymous.scopes.has(scope)) return { ok: true, principal: this.#anonymous };
      return fail(401, `this request needs a bearer token with the "${scope}" scope`, REALM);
    }
    const principal = this.#lookup(header);
    if (principal === undefined) {
      const message = 'the bearer token is missing, malformed or unknown';
      return fail(401, message, `${REALM}, error="invalid_token"`);
    }
    if (!principal.scopes.has(scope)) {
      const message = `token "${principal.name}" lacks the "${scope}" scope`;
      return fail(403, message, `${REALM}, error="insufficient_scope", scope="${scope}"`);
    }
    return { ok: true, principal };
  }

  #lookup(header: string): Principal | undefined {
    const match = BEARER.exec(header);
    if (match === null) return undefined;
    const presented = digest(match[1] as string);
    let found: Principal | undefined;
    // No early exit: every token is compared whatever matches.
    for (const token of this.#tokens) {
      if (timingSafeEqual(presented, token.digest) && found === undefined) found = token.principal;
    }
    return found;
  }
}

function fail(status: 401 | 403, message: string, challenge: string): AuthOutcome {
  const code = status === 401 ? 'unauthorized' : 'forbidden';
  return { ok: false, failure: { status, code, message, challenge } };
}
