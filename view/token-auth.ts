/**
 * Bearer-token authorization of the decision API and the live view (both read it from here): tokens from the `api.tokens` config, each with
 * scopes and optionally a namespace (tenant); anonymous access gets the `api.anonymous` scopes.
 * Tokens are compared as SHA-256 digests with `timingSafeEqual`, against every configured token,
 * so neither a token's length nor its position leaks through timing. A reload replaces the tokens
 * in place ({@link TokenAuth.replace}): a removed token fails from the next request on.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ResolvedConfig } from '../config/index.ts';

type ApiConfig = ResolvedConfig['api'];

/** A permission a token (or anonymous access) grants: `read` for GET, `override` for PUT/DELETE. */
export type Scope = ApiConfig['anonymous'][number];

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

type TokenConfig = Pick<ApiConfig, 'tokens' | 'anonymous'>;

interface KnownToken {
  readonly digest: Buffer;
  readonly principal: Principal;
}

/** Checks `Authorization` headers against the configured tokens. */
export class TokenAuth {
  #tokens: readonly KnownToken[] = [];
  #anonymous: Principal = Object.freeze({ name: 'anonymous', scopes: new Set<Scope>() });

  constructor(config: TokenConfig) {
    this.replace(config);
  }

  /**
   * Takes the tokens and anonymous scopes of a reloaded configuration. A token whose secret, name,
   * scopes and namespace are unchanged keeps its {@link Principal} object, so {@link isCurrent}
   * tells which callers the new configuration still lets in as they were.
   */
  replace(config: TokenConfig): void {
    const previous = this.#tokens;
    this.#tokens = config.tokens.map((token) => {
      const principal = Object.freeze({
        name: token.name,
        scopes: new Set(token.scopes),
        ...(token.namespace === undefined ? {} : { namespace: token.namespace }),
      });
      const known = { digest: digest(token.token), principal };
      const kept = previous.find(
        (old) => old.digest.equals(known.digest) && samePrincipal(old.principal, principal),
      );
      return kept ?? known;
    });
    const anonymous = Object.freeze({ name: 'anonymous', scopes: new Set(config.anonymous) });
    if (!samePrincipal(this.#anonymous, anonymous)) this.#anonymous = anonymous;
  }

  /** Whether callers without a token get any scope (`api.anonymous` not empty). */
  get allowsAnonymous(): boolean {
    return this.#anonymous.scopes.size > 0;
  }

  /** Whether `principal` is still one the configuration grants (false once its token was removed or changed). */
  isCurrent(principal: Principal): boolean {
    return principal === this.#anonymous || this.#tokens.some((token) => token.principal === principal);
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

function samePrincipal(a: Principal, b: Principal): boolean {
  return (
    a.name === b.name &&
    a.namespace === b.namespace &&
    a.scopes.size === b.scopes.size &&
    [...a.scopes].every((scope) => b.scopes.has(scope))
  );
}

function fail(status: 401 | 403, message: string, challenge: string): AuthOutcome {
  const code = status === 401 ? 'unauthorized' : 'forbidden';
  return { ok: false, failure: { status, code, message, challenge } };
}
