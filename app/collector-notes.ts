/** What collector mode says about itself: its descriptor budget at start, what a reload could not change. */
import type { FdBudget } from '../collector/index.ts';
import type { ResolvedConfig } from '../config/index.ts';

/** `file descriptors: limit 1024; receiver up to 691 connections, decision API up to 230 (214 streams)`. */
export function describeFds(fds: FdBudget): string {
  const limit = fds.fdLimit === undefined ? 'limit unknown' : `limit ${fds.fdLimit}`;
  const receiver =
    fds.receiverConnections === undefined ? 'no limit' : `up to ${fds.receiverConnections} connections`;
  const api = fds.apiConnections === undefined ? 'no limit' : `up to ${fds.apiConnections} connections`;
  return `file descriptors: ${limit}; receiver ${receiver}, decision API ${api} (${fds.streams} streams)`;
}

/** The `api` fields a reload cannot change (tokens and anonymous scopes it can). */
function apiRestartOnly(api: ResolvedConfig['api']) {
  const { tokens: _tokens, anonymous: _anonymous, ...rest } = api;
  return rest;
}

/** The `receiver` fields a reload cannot change (sender tokens it can). */
function receiverRestartOnly(receiver: ResolvedConfig['receiver']) {
  const { tokens: _tokens, ...rest } = receiver;
  return rest;
}

/**
 * The sections whose changes a reload cannot apply (listener addresses and limits, exporters,
 * alert channels): named in the reload's log line. Sender tokens, API tokens and anonymous scopes
 * it applies.
 */
export function sectionsNeedingRestart(next: ResolvedConfig, running: ResolvedConfig): string[] {
  const sections = {
    receiver: [receiverRestartOnly(next.receiver), receiverRestartOnly(running.receiver)],
    api: [apiRestartOnly(next.api), apiRestartOnly(running.api)],
    exporters: [next.exporters, running.exporters],
    'alerting.channels': [next.alerting.channels, running.alerting.channels],
  };
  return Object.entries(sections)
    .filter(([, [a, b]]) => JSON.stringify(a) !== JSON.stringify(b))
    .map(([name]) => name);
}
