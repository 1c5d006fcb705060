/**
 * The options of `connectDecisions` and their check: a call that cannot work (a URL that is not
 * http(s), no service name, an unknown fallback level) throws a coded error at once instead of
 * retrying forever.
 */
import {
  type DegradationDecision,
  type DegradationLevel,
  isDegradationLevel,
  unknownLevelMessage,
} from '../../agent/index.ts';
import { ClientOptionsError } from '../../errors.ts';
import type { BackoffOptions } from './backoff.ts';

/** Options of `connectDecisions`. */
export interface ConnectDecisionsOptions {
  /** Base URL of the decision API, e.g. `http://127.0.0.1:4320` (http or https). */
  readonly url: string;
  /** service.name whose decisions to follow (not empty). */
  readonly service: string;
  /**
   * service.namespace of that service (the same as its resource's); a service is
   * (namespace, name), so `checkout` in `payments` and in `shop` are two services.
   * @default '' (a service without a namespace)
   */
  readonly namespace?: string;
  /** Bearer token with the `read` scope. @default none (the API must allow anonymous read) */
  readonly token?: string;
  /** Called with each decision as it arrives (also those replayed after a reconnection); a throw is logged. */
  readonly onDecision?: (decision: DegradationDecision) => void;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Reconnection delays. @default 0.5 s doubling to 30 s, with jitter */
  readonly backoff?: BackoffOptions;
  /** A stream silent this long is presumed dead and reopened, ms (the API sends keepalives every 15 s). @default 45000 */
  readonly idleTimeoutMs?: number;
  /**
   * The client is `stale` when it has heard nothing from the agent (no event, no keepalive) for
   * this long, ms, connected or not; also from its start until the first word. @default 45000
   */
  readonly staleAfterMs?: number;
  /**
   * The level reported while `stale`: `'last'` keeps the last known level (and its features);
   * a level (e.g. `'NONE'`, fail open, or `'SEVERE'`, fail safe) replaces it, with
   * `fallbackDisabledFeatures` off. @default 'last'
   */
  readonly fallbackLevel?: DegradationLevel | 'last';
  /** Features off while `fallbackLevel` (a level) applies. @default [] (every feature on) */
  readonly fallbackDisabledFeatures?: readonly string[];
  /** Source of `lastUpdateMs` and of staleness, ms since the epoch. @default Date.now */
  readonly now?: () => number;
}

/**
 * Checks what `connectDecisions` cannot work without.
 * @throws {ClientOptionsError} `HEADROOM_ERR_CLIENT_OPTIONS_INVALID`, naming the option
 */
export function checkConnectOptions(options: ConnectDecisionsOptions): void {
  if (typeof options !== 'object' || options === null)
    throw new ClientOptionsError('options', 'connectDecisions needs an options object { url, service }');
  checkUrl(options.url);
  if (typeof options.service !== 'string' || options.service === '')
    throw new ClientOptionsError(
      'service',
      `connectDecisions: service must be a non-empty string, got ${show(options.service)}`,
    );
  if (options.namespace !== undefined && typeof options.namespace !== 'string')
    throw new ClientOptionsError(
      'namespace',
      `connectDecisions: namespace must be a string, got ${show(options.namespace)}`,
    );
  for (const name of ['idleTimeoutMs', 'staleAfterMs'] as const) checkPositive(name, options[name]);
  const { fallbackLevel, fallbackDisabledFeatures } = options;
  if (fallbackLevel !== undefined && fallbackLevel !== 'last' && !isDegradationLevel(fallbackLevel))
    throw new ClientOptionsError(
      'fallbackLevel',
      `connectDecisions: fallbackLevel: ${unknownLevelMessage(fallbackLevel)}`,
    );
  if (
    fallbackDisabledFeatures !== undefined &&
    !(Array.isArray(fallbackDisabledFeatures) && fallbackDisabledFeatures.every((f) => typeof f === 'string'))
  )
    throw new ClientOptionsError(
      'fallbackDisabledFeatures',
      'connectDecisions: fallbackDisabledFeatures must be an array of strings',
    );
}

function checkUrl(url: unknown): void {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    throw new ClientOptionsError(
      'url',
      `connectDecisions: url must be an absolute http(s) URL of the decision API such as http://127.0.0.1:4320, got ${show(url)}`,
    );
}

function checkPositive(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new ClientOptionsError(
      name,
      `connectDecisions: ${name} must be a positive number of ms, got ${show(value)}`,
    );
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
