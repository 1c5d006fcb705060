import { loadConfig } from '../../config/index.ts';
import { exportStoredState } from '../../storage/index.ts';
import { storePathOf } from '../state-store-path.ts';
import { CONFIG_OPTION, type Command, parseCommandArgs, UsageError } from './command.ts';
import type { CliIo } from './io.ts';

const OPTIONS = { config: CONFIG_OPTION } as const;

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
async function stateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(OPTIONS, args, true);
  if (positionals.length !== 1 || positionals[0] !== 'export') {
    const got = positionals.length === 0 ? 'none' : `"${positionals.join(' ')}"`;
    throw new UsageError(`expected the subcommand export (headroom state export --config FILE), got ${got}`);
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

/** `headroom state`, for the command list and its help. */
export const STATE_COMMAND: Command = {
  name: 'state',
  summary: 'print the durable state of collector mode as JSON',
  usage: 'headroom state export --config FILE [--config FILE]',
  description:
    'Prints what the state store of `headroom agent` with that configuration holds (storage.path, ' +
    'default data/headroom.db of the working directory) as JSON: its path, schema version and records. ' +
    'The store is opened read-only: allowed while `headroom agent` runs on it.',
  options: OPTIONS,
  exitCodes: [
    [0, 'printed'],
    [1, 'invalid configuration, or a store that cannot be read (HEADROOM_ERR_STORE_READ)'],
    [2, 'usage error'],
    [NO_STORE, 'the configuration keeps no store (storage.enabled: false)'],
  ],
  example: 'headroom state export --config headroom.yaml > state.json',
  run: stateCommand,
};
