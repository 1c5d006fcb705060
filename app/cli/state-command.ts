import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.ts';
import { exportStoredState } from '../../storage/index.ts';
import { storePathOf } from '../state-store-path.ts';
import type { CliIo } from './io.ts';

/** How long an export waits for a lock (a checkpoint in progress), ms. */
const EXPORT_TIMEOUT_MS = 5000;

/**
 * `headroom state export --config FILE [--config FILE]`: prints what the store of `headroom agent`
 * with that configuration holds (`storage.path`, default `data/headroom.db`) as JSON (`{ path, schemaVersion, records: { kind: { key: value } } }`), opened read-only:
 * allowed while `headroom agent` runs on it. 0 when printed; 1 for an invalid configuration or a
 * store that cannot be read (HEADROOM_ERR_STORE_READ); 2 for bad arguments; 3 when the
 * configuration keeps no store (`storage.enabled: false`).
 * @example
 * headroom state export --config headroom.yaml > state.json
 */
export async function stateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { config: { type: 'string', short: 'c', multiple: true } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1 || positionals[0] !== 'export') {
    io.stderr('headroom state: usage: headroom state export --config FILE\n');
    return 2;
  }
  const config = loadConfig({ files: values.config ?? [], env: io.env });
  const path = storePathOf(config.storage, 'collector');
  if (path === undefined) {
    io.stderr('headroom state export: the configuration sets storage.enabled: false: no state is stored\n');
    return NO_STORE;
  }
  const state = await exportStoredState(path, EXPORT_TIMEOUT_MS);
  io.stdout(`${JSON.stringify(state, null, 2)}\n`);
  return 0;
}

/** Exit code of `headroom state export` for a configuration that keeps no store. */
const NO_STORE = 3;
