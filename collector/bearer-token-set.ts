/**
 * Bearer tokens (RFC 6750) checked in constant time: each configured token is kept as a SHA-256
 * digest and a presented token is compared with `timingSafeEqual` against every one of them, with
 * no early exit, so neither a token's length nor its position in the list leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 7235). */
const BEARER = /^Bearer +([^\s]+) *$/i;

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The value bound to each configured token (a principal, a sender...). */
export class BearerTokenSet<T> {
  readonly #entries: readonly { readonly digest: Buffer; readonly value: T }[];

  /** @param entries each token with the value an `Authorization` header carrying it resolves to */
  constructor(entries: readonly { readonly token: string; readonly value: T }[]) {
    this.#entries = entries.map(({ token, value }) => ({ digest: digest(token), value }));
  }

  /** Tokens held. */
  get size(): number {
    return this.#entries.length;
  }

  /**
   * The value of the token an `Authorization` header carries; `undefined` when the header is not
   * `Bearer <token>` or the token is unknown.
   */
  lookup(header: string | undefined): T | undefined {
    const match = header === undefined ? null : BEARER.exec(header);
    if (match === null) return undefined;
    const presented = digest(match[1] as string);
    let found: T | undefined;
    // No early exit: every token is compared whatever matches.
    for (const entry of this.#entries) {
      if (timingSafeEqual(presented, entry.digest) && found === undefined) found = entry.value;
    }
    return found;
  }
}
