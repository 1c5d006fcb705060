// Each test's collector gets a state store of its own.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A config file in `dir` setting `storage.path` to `dir/data/headroom.db`: listed first (lowest
 * precedence), it gives a test's collector a store of its own instead of the shared default
 * `data/headroom.db` of the working directory (two agents there would wait for each other's lock).
 * A test's own `storage` settings, in a later file, win.
 */
export function ownStoreFile(dir: string): string {
  const file = join(dir, 'own-store.yaml');
  writeFileSync(file, `storage: { path: '${join(dir, 'data', 'headroom.db')}' }\n`);
  return file;
}
