/**
 * `headroom agent --watch`: reloads when a configuration file changes, including when an atomic
 * save replaces it (write a temporary file, rename it over: vim, Ansible, and Kubernetes ConfigMaps,
 * which swap a `..data` symlink). A watch on the file itself follows its inode and goes deaf after
 * the first rename, so each file's directory is watched instead: events naming the file (or a
 * ConfigMap's `..`-prefixed entries) are debounced into one check, and only a change of the files'
 * content calls `onChange`.
 */
import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { type Clock, systemClock, type TimerHandle } from '../../agent/index.ts';

/** Options of {@link watchConfig}. */
export interface ConfigWatcherOptions {
  readonly files: readonly string[];
  /** Called once per settled change of the files' content. */
  readonly onChange: () => void;
  /** Reports a watch that failed (the others keep watching). */
  readonly onError?: (error: Error) => void;
  /** Quiet time after the last event before the content is compared, ms. @default 200 */
  readonly debounceMs?: number;
  /** Runs the debounce timer. @default systemClock */
  readonly clock?: Clock;
}

/** A running watch. */
export interface ConfigWatcher {
  /** Stops watching. Idempotent. */
  close(): void;
}

const DEFAULT_DEBOUNCE_MS = 200;

/**
 * Watches the directories of `files`.
 * @example
 * const watcher = watchConfig({ files: ['/etc/headroom/headroom.yaml'], onChange: () => collector.reload() });
 */
export function watchConfig(options: ConfigWatcherOptions): ConfigWatcher {
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const paths = options.files.map((file) => resolve(file));
  let seen = fingerprint(paths);
  const clock = options.clock ?? systemClock;
  let timer: TimerHandle | undefined;
  const check = (): void => {
    timer = undefined;
    const now = fingerprint(paths);
    if (now === seen) return;
    seen = now;
    options.onChange();
  };
  const schedule = (): void => {
    timer?.cancel();
    // A pending check never keeps the process alive: the clock's timers are unref'd.
    timer = clock.after(debounceMs, check);
  };
  const watchers = [...namesByDirectory(paths)].map(([directory, names]) =>
    watchDirectory(directory, names, schedule, options.onError),
  );
  return {
    close: () => {
      timer?.cancel();
      for (const watcher of watchers.splice(0)) watcher.close();
    },
  };
}

function watchDirectory(
  directory: string,
  names: ReadonlySet<string>,
  onEvent: () => void,
  onError: ((error: Error) => void) | undefined,
): FSWatcher {
  const watcher = watch(directory, { persistent: false }, (_event, name) => {
    // No name (some platforms), the file itself, or a ConfigMap's `..data` / `..2024_...` entries.
    if (name === null || names.has(name) || name.startsWith('..')) onEvent();
  });
  watcher.on('error', (error) => onError?.(error));
  return watcher;
}

function namesByDirectory(paths: readonly string[]): Map<string, Set<string>> {
  const byDirectory = new Map<string, Set<string>>();
  for (const path of paths) {
    const names = byDirectory.get(dirname(path)) ?? new Set<string>();
    names.add(basename(path));
    byDirectory.set(dirname(path), names);
  }
  return byDirectory;
}

/** The files' content as one string; a file that cannot be read counts as absent. */
function fingerprint(paths: readonly string[]): string {
  return paths
    .map((path) => {
      try {
        return `+${readFileSync(path, 'utf8')}`;
      } catch {
        return '-';
      }
    })
    .join('\0');
}
