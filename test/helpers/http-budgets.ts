// What the HTTP middleware tests share: the YAML rules they judge routes by, the series the agent
// recorded, and the moment every response has closed on the server (when tracking ends).
import type { ServerResponse } from 'node:http';
import type { HeadroomConfigInput } from '../../config/index.ts';
import type { EmbeddedHeadroom } from '../../instrumentation/index.ts';

/** Rules as a user writes them: one per route template, a catch-all for the /status/* routes. */
export const ROUTE_RULES: HeadroomConfigInput = {
  rules: [
    { match: { kind: 'server', attributes: { 'http.route': '/checkout' } }, context: 'emergency' },
    {
      match: { kind: 'server', attributes: { 'http.route': '/users/:id' } },
      context: 'routine',
      operation: 'user',
    },
    {
      match: { kind: 'server', spanNamePattern: '^GET /status/' },
      context: 'deliberative',
      operation: 'status',
    },
  ],
  evaluation: { minSamples: 1 },
};

/** One series as counted since it was created: samples and errors. */
export interface SeriesCount {
  readonly operation: string;
  readonly context: string;
  readonly count: number;
  readonly errors: number;
}

/** Every series of the agent with its totals, sorted by operation. */
export function seriesCounts(headroom: EmbeddedHeadroom): SeriesCount[] {
  return headroom.agent.registry
    .list()
    .map((series) => ({
      operation: series.operation,
      context: series.context,
      count: series.totals.count,
      errors: series.totals.errorCount,
    }))
    .sort((a, b) => (a.operation < b.operation ? -1 : 1));
}

/**
 * Counts responses closed on the server: the middleware finishes its tracking in a `close` listener
 * it puts first, so once a watched response has closed its sample is recorded.
 */
export class ResponseCloses {
  #closed = 0;
  #waiters: { n: number; resolve: () => void }[] = [];

  watch(response: ServerResponse): void {
    response.on('close', () => {
      this.#closed++;
      this.#waiters = this.#waiters.filter((waiter) => {
        if (this.#closed < waiter.n) return true;
        waiter.resolve();
        return false;
      });
    });
  }

  /** Resolves once `n` watched responses have closed. */
  waitFor(n: number): Promise<void> {
    if (this.#closed >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ n, resolve }));
  }
}
