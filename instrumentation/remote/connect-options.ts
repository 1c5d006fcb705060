/**
 * The options of `connectDecisions` and their check: a call that cannot work (a URL that is not
 * http(s), no service name, an unknown fallback level) throws a coded error at once instead of
 * retrying forever.
 */
import {
  type DegradationLevel,
  type FeatureFlags,
  isDegradationLevel,
  unknownLevelMessage,
} from '../../agent/index.ts';
import { ClientOptionsError } from '../../errors.ts';
import type { ConnectDecisionsOptions } from './types.ts';

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

/** The level and features reported while stale, when `fallbackLevel` names a level. */
export interface FallbackState extends FeatureFlags {
  readonly level: DegradationLevel;
}

export function fallbackOf(options: ConnectDecisionsOptions): FallbackState | undefined {
  const { fallbackLevel } = options;
  if (fallbackLevel === undefined || fallbackLevel === 'last') return undefined;
  const disabled = Object.freeze([...(options.fallbackDisabledFeatures ?? [])]);
  const set = new Set(disabled);
  return Object.freeze({
    level: fallbackLevel,
    enabled: (name: string) => !set.has(name),
    disabled: () => disabled,
  });
}
