/**
 * `--watch` against the ways editors and orchestrators really save a file: in place, by an atomic
 * rename over it (vim, Ansible), and by a Kubernetes ConfigMap's `..data` symlink swap; each more
 * than once, since a watch on the file's inode goes deaf after the first rename. Events come from
 * the real file system (waited for by bounded polling); the 20 ms debounce runs on a manual clock.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../agent/index.ts';
import { type ConfigWatcher, watchConfig } from '../../app/cli/config-watcher.ts';

const DEBOUNCE_MS = 20;

const watchers: ConfigWatcher[] = [];
afterEach(() => {
  for (const watcher of watchers.splice(0)) watcher.close();
});

function start(files: string[]) {
  let changes = 0;
  const clock = new ManualClock();
  watchers.push(watchConfig({ files, onChange: () => changes++, debounceMs: DEBOUNCE_MS, clock }));
  return {
    clock,
    changes: () => changes,
    /**
     * Waits until `count` changes were reported (at most 2 s for the file system's events), each
     * poll a debounce period later on the clock.
     */
    reaches: (count: number) =>
      vi.waitFor(
        () => {
          clock.advance(DEBOUNCE_MS);
          expect(changes).toBe(count);
        },
        { timeout: 2000, interval: 10 },
      ),
  };
}

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), 'headroom-watch-'));
}

describe('watchConfig', () => {
  it('should see every atomic save (write a temporary file, rename it over), not only the first', async () => {
    const dir = freshDir();
    const file = join(dir, 'headroom.yaml');
    writeFileSync(file, 'window: { length: 60s }\n');
    const watched = start([file]);
    for (const [save, length] of [1, 2, 3].map((n) => [n, `${30 + n}s`] as const)) {
      const temporary = join(dir, `.headroom.yaml.swp${save}`);
      writeFileSync(temporary, `window: { length: ${length} }\n`);
      renameSync(temporary, file);
      await watched.reaches(save);
    }
  });

  it('should see every ConfigMap update, made by swapping the ..data symlink', async () => {
    const dir = freshDir();
    const version = (n: number, text: string) => {
      mkdirSync(join(dir, `..v${n}`));
      writeFileSync(join(dir, `..v${n}`, 'headroom.yaml'), text);
    };
    version(0, 'window: { length: 60s }\n');
    symlinkSync('..v0', join(dir, '..data'));
    symlinkSync('..data/headroom.yaml', join(dir, 'headroom.yaml'));
    const watched = start([join(dir, 'headroom.yaml')]);
    for (const n of [1, 2]) {
      // What kubelet's atomic writer does: new directory, new link, rename over ..data, old one removed.
      version(n, `window: { length: ${30 + n}s }\n`);
      symlinkSync(`..v${n}`, join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
      rmSync(join(dir, `..v${n - 1}`), { recursive: true });
      await watched.reaches(n);
    }
  });

  it('should see a write in place, and each file of several', async () => {
    const dir = freshDir();
    const [first, second] = [join(dir, 'a.yaml'), join(dir, 'b.yaml')];
    writeFileSync(first, '{}\n');
    writeFileSync(second, '{}\n');
    const watched = start([first, second]);
    writeFileSync(first, 'enabled: true\n');
    await watched.reaches(1);
    writeFileSync(second, 'enabled: true\n');
    await watched.reaches(2);
  });

  it('should not call for another file of the directory, nor for a save that changes nothing', async () => {
    const dir = freshDir();
    const file = join(dir, 'headroom.yaml');
    writeFileSync(file, '{}\n');
    const watched = start([file]);
    writeFileSync(join(dir, 'other.yaml'), 'x: 1\n');
    writeFileSync(file, '{}\n');
    // The save of the file is seen (a check is pending); the other file's event schedules none.
    await vi.waitFor(() => expect(watched.clock.pendingTimers).toBe(1), { timeout: 2000, interval: 10 });
    watched.clock.advance(DEBOUNCE_MS);
    expect(watched.changes()).toBe(0);
    writeFileSync(file, 'enabled: true\n');
    await watched.reaches(1);
  });
});
