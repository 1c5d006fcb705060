/**
 * Admission in the HTTP middleware: each request's class (the precedence and trust rule over the
 * code hook, the route's YAML rule or context, the incoming W3C baggage and the peer's address),
 * then the service's admission controller, before any handler runs. A rejected request gets 503
 * with `Retry-After` (whole seconds), as Envoy's admission control and Google SRE's load shedding
 * answer, and a JSON body saying why.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultTextMapGetter, diag, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { CRITICALITY_BAGGAGE_KEY, type Criticality, type Rejected } from '../../agent/index.ts';
import type { TrustedPeers } from '../../config/index.ts';
import { codeCriticality, reportInvalidBaggage } from '../criticality/active-criticality.ts';
import { resolveCriticality } from '../criticality/precedence.ts';

/** The admission options every middleware takes (`budgetListener`, `budgetMiddleware`, `budgetPlugin`). */
export interface AdmissionOptions<Request> {
  /**
   * false: this middleware admits every request (its class is still resolved, put on the span and
   * in baggage). `admission.enabled: false` in YAML turns admission off everywhere. @default true
   */
  readonly admission?: boolean;
  /**
   * The class of a request as your code decides it (e.g. from a header your gateway sets, or the
   * user's plan); `undefined` leaves it to YAML and baggage. It counts as code: it wins over both.
   * A throw or a value that is not a class counts as `undefined` (logged).
   * @example criticality: (req) => (req.headers['x-batch'] === '1' ? 'SHEDDABLE' : undefined)
   */
  readonly criticality?: (request: Request) => Criticality | undefined;
}

/** The baggage of a request as sent, read whatever propagator is registered globally. */
const baggagePropagator = new W3CBaggagePropagator();

/** The incoming `headroom.criticality` baggage value, as sent; `undefined` when absent. */
function incomingCriticality(request: IncomingMessage): string | undefined {
  if (request.headers.baggage === undefined) return undefined;
  const extracted = baggagePropagator.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
  return propagation.getBaggage(extracted)?.getEntry(CRITICALITY_BAGGAGE_KEY)?.value;
}

/** The class the code hook gives; `undefined` when there is none, it throws or answers a non-class. */
export function hookCriticality<Request>(
  hook: ((request: Request) => Criticality | undefined) | undefined,
  request: Request,
): Criticality | undefined {
  if (hook === undefined) return undefined;
  try {
    return codeCriticality('the criticality option of the HTTP middleware', hook(request));
  } catch (error) {
    diag.error(
      'headroom: the criticality option of the HTTP middleware threw; the request has no class from code',
      error,
    );
    return undefined;
  }
}

/**
 * The class of a request: code hook, else the route's YAML class (baggage may lower it), else the
 * baggage (as is from a trusted peer, only lowering CRITICAL from anyone else), else CRITICAL.
 */
export function requestCriticality(
  request: IncomingMessage,
  sources: { readonly code: Criticality | undefined; readonly yaml: Criticality | undefined },
  peers: TrustedPeers,
): Criticality {
  const baggage = incomingCriticality(request);
  const trustedPeer = baggage !== undefined && peers.trusts(request.socket?.remoteAddress);
  const resolved = resolveCriticality({ ...sources, baggage, trustedPeer });
  if (resolved.invalidBaggage !== undefined) reportInvalidBaggage(resolved.invalidBaggage);
  return resolved.criticality;
}

/** The 503 a rejected request gets: status, headers and body. */
export interface RejectionReply {
  readonly statusCode: 503;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The reply to a rejected request; `Retry-After` is `retryAfterMs` rounded up to whole seconds (at least 1). */
export function rejectionReply(rejected: Rejected): RejectionReply {
  const body = JSON.stringify({
    code: rejected.code,
    message: rejected.message,
    criticality: rejected.criticality,
  });
  return {
    statusCode: 503,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      'retry-after': String(Math.max(1, Math.ceil(rejected.retryAfterMs / 1000))),
    },
    body,
  };
}

/** Sends the 503 of a rejected request on a `node:http` response. Never throws (logged). */
export function sendRejection(response: ServerResponse, rejected: Rejected): void {
  const reply = rejectionReply(rejected);
  try {
    response.writeHead(reply.statusCode, reply.headers);
    response.end(reply.body);
  } catch (error) {
    diag.error('headroom: could not send the 503 of a rejected request', error);
    response.destroy();
  }
}
