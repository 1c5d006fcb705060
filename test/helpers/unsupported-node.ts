/**
 * A Node.js older than Headroom supports: the system Node of the CI machine (its `nodejs` package, 20.x,
 * `/usr/bin/node`), while the tests run on the pinned Node 24. test/node-version.test.ts checks
 * that it is older than the minimum.
 */
export const UNSUPPORTED_NODE = '/usr/bin/node';
