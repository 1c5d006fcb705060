/**
 * Durable state of embedded mode, opt-in with `storage.path`: the store is opened in the background
 * (start() stays synchronous; node:sqlite and the storage code load only then), the state it holds
 * is restored once it is open, and checkpoints follow as in collector mode. A store another process
 * holds past `storage.lockTimeout`, or one that cannot be opened, leaves the service running in
 * memory with one warning and `headroom_state_store_mode`; nothing is thrown into the service.
 */
import { diag } from '@opentelemetry/api';
import type { ResolvedConfig } from '../config/index.ts';
import { StoreLockedError, StoreOpenError } from '../errors.ts';
import { type MetricSource, type StoreMode, stateMetrics } from '../exporters/metrics/index.ts';
import type { EmbeddedHeadroom } from '../instrumentation/index.ts';
import type { AlertState } from './alerting.ts';
import type { StateCheckpoints, StateLogger } from './state-checkpoints.ts';

/** Checkpoint messages as `diag` lines (the service's logger, or Headroom's JSON lines on stderr). */
const DIAG_LOGGER: StateLogger = {
  info: (_fields, message) => diag.info(`headroom: ${message}`),
  warn: (_fields, message) => diag.warn(`headroom: ${message}`),
  error: (_fields, message) => diag.error(`headroom: ${message}`),
};

/** Where the background open stands. */
interface EmbeddedState {
  mode: StoreMode;
  checkpoints?: StateCheckpoints;
}

/**
 * Opens the store at `path` in the background for `headroom` (its agent, and the SLO tracker and
 * alert evaluator of `alertState`), checkpoints while it runs and once more in `headroom.shutdown()`
 * (which also ends a wait for the lock). Returns the `headroom_state_*` metrics. Never throws.
 */
export function keepEmbeddedState(
  headroom: EmbeddedHeadroom,
  storage: ResolvedConfig['storage'],
  path: string,
  alertState: AlertState,
): MetricSource {
  const state: EmbeddedState = { mode: 'opening' };
  const stop = new AbortController();
  const opening = openInBackground(state, { headroom, storage, path, alertState, signal: stop.signal });
  headroom.addShutdownHook(async () => {
    stop.abort('shutdown');
    (await opening)?.close();
  });
  return stateMetrics(() => ({ mode: state.mode, checkpoints: state.checkpoints?.stats }));
}

async function openInBackground(
  state: EmbeddedState,
  options: {
    headroom: EmbeddedHeadroom;
    storage: ResolvedConfig['storage'];
    path: string;
    alertState: AlertState;
    signal: AbortSignal;
  },
): Promise<StateCheckpoints | undefined> {
  const { storage, path, signal } = options;
  try {
    const { StateCheckpoints } = await import('./state-checkpoints.ts');
    const parts = { agent: options.headroom.agent, ...options.alertState };
    const checkpoints = await StateCheckpoints.open(
      { path, lockTimeoutMs: storage.lockTimeoutMs, signal },
      parts,
      DIAG_LOGGER,
    );
    checkpoints.start(storage.checkpointIntervalMs);
    state.mode = 'persistent';
    state.checkpoints = checkpoints;
    return checkpoints;
  } catch (error) {
    if (signal.aborted && error === signal.reason) return undefined; // shut down while waiting
    const locked = error instanceof StoreLockedError;
    state.mode = locked ? 'memory_locked' : 'memory_unavailable';
    const said = locked || error instanceof StoreOpenError; // their message names the store
    diag.warn(
      `headroom: ${said ? (error as Error).message : `state store ${path} cannot be opened (${(error as Error).message})`}: running in memory only; this service's degradation, SLO and alert state will not survive a restart`,
    );
    return undefined;
  }
}
