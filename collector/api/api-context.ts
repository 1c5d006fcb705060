/** What every route of the decision API shares, and the helpers that answer errors and check tokens. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Agent, ServiceId } from '../../agent/index.ts';
import type { Principal, StreamQuota, TokenAuth, VerdictCache } from '../../view/index.ts';
import type { DecisionStream } from './decision-stream.ts';
import type { ServiceCatalog } from './service-catalog.ts';
import type { ApiConfig, ApiErrorBody, Scope } from './types.ts';

/** The parts the routes read. */
export interface ApiContext {
  readonly agent: Agent;
  readonly config: ApiConfig;
  readonly auth: TokenAuth;
  readonly catalog: ServiceCatalog;
  readonly verdicts: VerdictCache;
  readonly stream: DecisionStream;
  /** Why the agent is saturated now (memory, caps); empty when it can take more. */
  readonly saturation: () => readonly string[];
  /** Caps on open decision streams, per token and in all. */
  readonly quota: StreamQuota;
}

const CODES: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  503: 'unavailable',
};

/** The error `code` of an HTTP status: `bad_request`, `not_found`, ..., `internal` for 5xx without one. */
function codeOf(status: number): string {
  return CODES[status] ?? (status >= 500 ? 'internal' : 'bad_request');
}

/** Sends `{ error: { code, message } }` with `status`. */
export function sendError(reply: FastifyReply, status: number, message: string, code = codeOf(status)) {
  const body: ApiErrorBody = { error: { code, message } };
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** The 404 of a service that does not exist or that the caller may not see (the same answer for both). */
export function sendUnknownService(reply: FastifyReply, id: ServiceId) {
  const where = id.namespace === '' ? 'without a namespace' : `in namespace "${id.namespace}"`;
  return sendError(reply, 404, `no service named "${id.service}" ${where}`);
}

/**
 * Authorizes `request` for `scope`; on failure sends the 401/403 (with `WWW-Authenticate`) and
 * returns `undefined`, so a handler does `const who = guard(...); if (!who) return reply;`.
 */
export function guard(
  context: ApiContext,
  request: FastifyRequest,
  reply: FastifyReply,
  scope: Scope,
): Principal | undefined {
  const outcome = context.auth.authorize(request.headers.authorization, scope);
  if (outcome.ok) return outcome.principal;
  const { failure } = outcome;
  reply.header('www-authenticate', failure.challenge);
  void sendError(reply, failure.status, failure.message, failure.code);
  return undefined;
}
