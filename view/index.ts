// Public face of view/: the live view's data (history rings, model, stream, node:http handler), its page
// (static files) and the bearer tokens, stream quota and SSE framing it shares with the decision API.

export { BoundedWriter } from './bounded-writer.ts';
export { HostGuard } from './host-guard.ts';
export { createLiveView, type LiveView, type LiveViewOptions } from './live-view.ts';
export { PendingBudget } from './pending-budget.ts';
export { formatSseComment, formatSseEvent } from './sse-format.ts';
export { createStaticFiles, PAGE_ROOT } from './static-files.ts';
export { StreamQuota, whenConnected } from './stream-quota.ts';
export { type Principal, TokenAuth } from './token-auth.ts';
export type { OperationView, PointEvent, ServiceView, ViewAnswer } from './types.ts';
export { isCurrentVerdict, VerdictCache } from './verdict-cache.ts';
export { type RequestHandler, sendError, sendNotFound } from './view-handler.ts';
export type { ViewHistory } from './view-history.ts';
