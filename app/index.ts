/**
 * Public face of app/ for the package root: `start()`, the composition root of embedded Headroom
 * (instrumentation, agent, exporters). The `headroom` CLI (`app/cli/main.ts`) is reached through
 * bin/headroom.js only, so an embedded import never loads collector mode.
 */
export { type StartOptions, start } from './start.ts';
