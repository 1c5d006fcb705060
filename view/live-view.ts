/**
 * The live view of one agent, composed: the verdict cache, the history rings, the model, the
 * stream and the HTTP handler. Both modes build it here (collector mode with the decision API's
 * tokens and stream quota, embedded mode with its own), so there is one implementation.
 */
import type { Agent, SloTracker } from '../agent/index.ts';
import type { ResolvedConfig } from '../config/index.ts';
import type { PendingBudget } from './pending-budget.ts';
import type { StreamQuota } from './stream-quota.ts';
import type { TokenAuth } from './token-auth.ts';
import { VerdictCache } from './verdict-cache.ts';
import { ViewCache } from './view-cache.ts';
import { createViewHandler, type RequestHandler } from './view-handler.ts';
import { ViewHistory } from './view-history.ts';
import { ViewModel } from './view-model.ts';
import { ViewStream } from './view-stream.ts';

/** Options of {@link createLiveView}. */
export interface LiveViewOptions {
  readonly agent: Agent;
  /** The `ui` section (history resolution and length). */
  readonly ui: ResolvedConfig['ui'];
  readonly auth: TokenAuth;
  readonly quota: StreamQuota;
  /** The bytes all answers may hold pending together (`api.maxPendingSize`), shared with the decision stream. */
  readonly budget: PendingBudget;
  /** The SLO tracker whose statuses services show; none: no SLOs. */
  readonly slos?: SloTracker | undefined;
  /** Serves the page under `/ui` (view/static); none: the API only. */
  readonly staticFiles?: RequestHandler | undefined;
  /** Interval of the stream's `: keepalive` comments, ms. @default 15000 */
  readonly keepaliveMs?: number | undefined;
}

/** A running live view. */
export interface LiveView {
  /** Answers `/api/v1/view`, `/api/v1/view/stream` and (with static files) `/ui`; false for others. */
  readonly handler: RequestHandler;
  readonly history: ViewHistory;
  readonly stream: ViewStream;
  /** Ends the streams, stops following the agent and frees the rings. Idempotent. */
  close(): void;
}

/** Starts sampling histories on the agent's ticks and returns the handler. */
export function createLiveView(options: LiveViewOptions): LiveView {
  const { agent, ui } = options;
  const verdicts = new VerdictCache(agent);
  const history = new ViewHistory({ agent, verdicts, ...ui.history });
  const model = new ViewModel({ agent, verdicts, history, slos: options.slos });
  const { budget } = options;
  const stream = new ViewStream({ agent, model, history, keepaliveMs: options.keepaliveMs, budget });
  const views = new ViewCache(agent, model);
  const handler = createViewHandler({
    views,
    stream,
    clock: agent.clock,
    budget,
    auth: options.auth,
    quota: options.quota,
    staticFiles: options.staticFiles,
  });
  let closed = false;
  return {
    handler,
    history,
    stream,
    close() {
      if (closed) return;
      closed = true;
      stream.close();
      views.close();
      history.close();
      verdicts.close();
    },
  };
}
