/**
 * DNS-rebinding protection for listeners that let callers in without a token (`api.anonymous`):
 * a page on a site the operator visits can rebind its own name to 127.0.0.1 and then read this
 * listener same-origin, since no token is needed. Browsers send that name in `Host`, so while
 * anonymous access is on, only names this listener is known by are answered (as Vite's
 * `server.allowedHosts`, webpack-dev-server's `allowedHosts` and Jupyter's `local_hostnames` do):
 * IP addresses (a rebinding needs a name), `localhost` and `*.localhost` (RFC 6761: always
 * loopback), the listener's own host, `ui.externalUrl`'s host and `api.allowedHosts`. With tokens
 * only, any `Host` is served: a rebound page has no token to send.
 */
import { isIP } from 'node:net';
import type { TokenAuth } from './token-auth.ts';

/** Where a listener is reachable by name, besides the names always allowed. */
export interface HostGuardOptions {
  /** The address it binds (`api.host`, `ui.host`). */
  readonly listenerHost: string;
  /** `ui.externalUrl` ('' for none). */
  readonly externalUrl: string;
  /** `api.allowedHosts`: names, or `.example.com` for that domain and every subdomain. */
  readonly allowedHosts: readonly string[];
}

/** Decides whether a request's `Host` may be answered. */
export class HostGuard {
  readonly #auth: TokenAuth;
  readonly #fixed: readonly string[];
  #allowed: readonly string[] = [];

  constructor(auth: TokenAuth, options: HostGuardOptions) {
    this.#auth = auth;
    const external = options.externalUrl === '' ? [] : [new URL(options.externalUrl).hostname];
    this.#fixed = [normalise(options.listenerHost), ...external];
    this.allow(options.allowedHosts);
  }

  /** Takes the `api.allowedHosts` of a reloaded configuration. */
  allow(allowedHosts: readonly string[]): void {
    this.#allowed = allowedHosts.map(normalise);
  }

  /**
   * The 403's message when `host` (the `Host` header) may not be answered, else `undefined`
   * (always while anonymous access is off; a request without `Host` is not a browser's).
   */
  refusal(host: string | undefined): string | undefined {
    if (host === undefined || !this.#auth.allowsAnonymous) return undefined;
    const name = normalise(
      host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, ''),
    );
    if (this.#allows(name)) return undefined;
    const known = [
      'localhost',
      'an IP address',
      ...this.#fixed.filter((fixed) => isIP(unbracket(fixed)) === 0),
    ];
    return `Host "${host}" is not a name of this listener, and api.anonymous lets callers in without a token, so a page on another site could read it by rebinding its name (DNS rebinding); open it as ${[...new Set(known)].join(', ')}, or add "${name}" to api.allowedHosts`;
  }

  #allows(name: string): boolean {
    if (isIP(unbracket(name)) !== 0 || name === 'localhost' || name.endsWith('.localhost')) return true;
    if (this.#fixed.includes(name)) return true;
    return this.#allowed.some((allowed) =>
      allowed.startsWith('.') ? name === allowed.slice(1) || name.endsWith(allowed) : name === allowed,
    );
  }
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function unbracket(name: string): string {
  return name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
}
