/**
 * The Node.js versions Headroom runs on, checked when the package is imported: index.ts imports
 * this module first, so on an older Node the import fails with one coded error
 * (HEADROOM_ERR_NODE_UNSUPPORTED) before the rest of the package runs into a missing API.
 */
import { UnsupportedNodeError } from './errors.ts';

/** The oldest supported Node.js: package.json's `engines.node` (test/cli/node-version.test.ts holds them together). */
export const MINIMUM_NODE_VERSION = '22.15.0';

/** Whether `version` (as `process.versions.node` gives it: `22.15.0`) is {@link MINIMUM_NODE_VERSION} or later. */
export function isSupportedNode(version: string): boolean {
  const current = version.split('.').map(Number);
  const minimum = MINIMUM_NODE_VERSION.split('.').map(Number);
  const index = minimum.findIndex((part, i) => part !== current[i]);
  // A missing part (`22`) compares as undefined > number: false, so older.
  return index === -1 || current[index] > minimum[index];
}

if (!isSupportedNode(process.versions.node)) {
  throw new UnsupportedNodeError(process.versions.node, MINIMUM_NODE_VERSION);
}
