/** Where each mode keeps its durable state: collector mode by default, embedded mode only when asked. */
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/index.ts';

/**
 * The store of collector mode when `storage.path` is not set, relative to the working directory
 * (as Prometheus keeps its TSDB in `data/`).
 */
const DEFAULT_STORE_PATH = join('data', 'headroom.db');

/**
 * The store file `mode` uses with `storage`, or `undefined` for memory only: collector mode uses
 * `storage.path`, else {@link DEFAULT_STORE_PATH}; embedded mode only an explicit `storage.path`
 * (a service must opt in to a file beside it). `storage.enabled: false` means memory in both.
 */
export function storePathOf(
  storage: ResolvedConfig['storage'],
  mode: 'collector' | 'embedded',
): string | undefined {
  if (!storage.enabled) return undefined;
  return storage.path ?? (mode === 'collector' ? DEFAULT_STORE_PATH : undefined);
}
