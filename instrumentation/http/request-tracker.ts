/**
 * What the node:http, Express and Fastify middleware share: each request gets a server span that
 * carries its route's budget (the HTTP instrumentation's span when one is active, so a request is
 * one span and one sample whatever is installed; else one the middleware starts) and a
 * {@link TrackedRequest} the handler reads its budget from.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Context, context, diag, propagation, type Span, SpanKind, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import {
  ATTR_ADMISSION_OUTCOME,
  ATTR_CRITICALITY,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_URL_PATH,
  type Criticality,
  type Rejected,
  RuleMatcher,
} from '../../agent/index.ts';
import { type TrustedPeers, trustedPeers } from '../../config/index.ts';
import { InvalidArgumentError } from '../../errors.ts';
import { withSettledCriticality } from '../criticality/active-criticality.ts';
import { EmbeddedHeadroom } from '../headroom.ts';
import { nowEpochMs } from '../operation-handle.ts';
import type { Headroom } from '../types.ts';
import { requestCriticality } from './request-admission.ts';
import { type RequestBudget, type RouteSource, TrackedRequest } from './request-budget.ts';
import { routingPath } from './request-path.ts';
import { RouteRules } from './route-rules.ts';

/** A request's budget and the context the rest of its handling runs in. */
export interface BegunRequest {
  readonly budget: TrackedRequest;
  /** The active context with the request's server span and class (run the next handler in it). */
  readonly context: Context;
  /** Set when admission turned the request away: answer 503 (`sendRejection`), run no handler. */
  readonly rejected?: Rejected;
}

/** How a middleware wants a request admitted. */
export interface AdmissionInput {
  /** Ask admission (false: the middleware's `admission: false`). */
  readonly admit: boolean;
  /** The class the code hook gave; `undefined` when none. */
  readonly code: Criticality | undefined;
  /** The route the request will take, when the framework names it only later (Express). */
  readonly routeAhead?: () => string | undefined;
}

/** Tracks the requests of one Headroom; one per Headroom, shared by every middleware on it. */
export class RequestTracker {
  readonly #headroom: EmbeddedHeadroom;
  readonly #rules: RouteRules;
  readonly #peers: TrustedPeers;

  constructor(headroom: EmbeddedHeadroom) {
    this.#headroom = headroom;
    const config = headroom.agent.config;
    this.#rules = new RouteRules(
      new RuleMatcher(config.rules),
      headroom.service,
      headroom.namespace,
      (name) => config.contexts[name]?.criticality,
      config.rules.some((rule) => rule.criticality !== undefined) ||
        Object.values(config.contexts).some((ctx) => ctx.criticality !== undefined),
    );
    this.#peers = trustedPeers(config.criticality.trustedPeers);
  }

  /**
   * Starts tracking a request: finds or starts its server span, resolves its class and asks
   * admission (`rejected` then says to answer 503 and run no handler), and ends the tracking at
   * the response's `close` (before the HTTP instrumentation ends its span there). Never throws: on
   * a failure (logged) the request runs untracked, `undefined`; `undefined` too for a request
   * tracked already (the first tracking holds).
   * @param active the context the request's server span is looked for in
   */
  begin(
    request: IncomingMessage,
    response: ServerResponse,
    source: RouteSource,
    admission: AdmissionInput,
    active: Context = context.active(),
  ): BegunRequest | undefined {
    // Tracked already (the middleware registered twice, say): the first tracking holds.
    if ((request as Tracked)[BUDGET] !== undefined) return undefined;
    try {
      const begun = this.#begin(request, response, source, active);
      return this.#admit(request, response, begun, admission);
    } catch (error) {
      diag.error('headroom: failed to track a request; it runs untracked', error);
      return undefined;
    }
  }

  #begin(
    request: IncomingMessage,
    response: ServerResponse,
    source: RouteSource,
    active: Context,
  ): BegunRequest & { readonly ownSpan: boolean } {
    const method = request.method ?? 'GET';
    const rpc = getRPCMetadata(active);
    let span = serverSpanOf(active);
    let spanContext = active;
    const ownSpan = span === undefined;
    if (span === undefined) {
      const parent =
        trace.getSpan(active) === undefined ? propagation.extract(active, request.headers) : active;
      span = this.#headroom.tracer.startSpan(
        method,
        {
          kind: SpanKind.SERVER,
          attributes: { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_URL_PATH]: routingPath(request.url) },
        },
        parent,
      );
      spanContext = trace.setSpan(parent, span);
    }
    const onRoute = (route: string): void => {
      if (rpc?.type === RPCType.HTTP && rpc.route === undefined) rpc.route = route;
    };
    const startMs = startOf(span);
    const budget = new TrackedRequest(
      span,
      ownSpan,
      { method, startMs, source },
      {
        match: (m, route) => this.#rules.match(m, route),
        bind: (op, ctx) => this.#headroom.binding(op, ctx),
      },
      onRoute,
    );
    response.prependListener('close', () => {
      try {
        budget.finish(response);
      } catch (error) {
        // Bookkeeping never throws into the server.
        diag.error('headroom: failed to finish tracking a request', error);
      }
    });
    (request as Tracked)[BUDGET] = budget;
    return { budget, context: spanContext, ownSpan };
  }

  /**
   * Resolves the request's class (on its span, in its context and baggage) and asks admission;
   * a rejected request's span is marked `headroom.admission.outcome = rejected` (never judged).
   */
  #admit(
    request: IncomingMessage,
    response: ServerResponse,
    begun: BegunRequest & { readonly ownSpan: boolean },
    admission: AdmissionInput,
  ): BegunRequest {
    const { budget } = begun;
    const { code } = admission;
    // Looked for only when it can matter: no class from code, and some rule or context sets one.
    const yaml =
      code === undefined && this.#rules.classified
        ? this.#routeCriticality(request, budget, admission)
        : undefined;
    const criticality = requestCriticality(request, { code, yaml }, this.#peers);
    budget.criticality = criticality;
    budget.span.setAttribute(ATTR_CRITICALITY, criticality);
    const settled = withSettledCriticality(begun.context, criticality);
    if (begun.ownSpan) {
      // Listeners added later (body parsers, ...) run in the request's context, its class
      // included, as the HTTP instrumentation arranges for its own span.
      context.bind(settled, request);
      context.bind(settled, response);
    }
    if (!admission.admit) return { budget, context: settled };
    const result = this.#headroom.admit(criticality);
    if (result.admitted) return { budget, context: settled };
    budget.span.setAttribute(ATTR_ADMISSION_OUTCOME, 'rejected');
    return { budget, context: settled, rejected: result };
  }

  /** The YAML class of the request's route: known now, or the route the framework will take. */
  #routeCriticality(
    request: IncomingMessage,
    budget: TrackedRequest,
    admission: AdmissionInput,
  ): Criticality | undefined {
    const known = budget.routeCriticality();
    if (known !== undefined || admission.routeAhead === undefined) return known;
    return this.#rules.match(request.method ?? 'GET', admission.routeAhead()).criticality;
  }
}

const trackers = new WeakMap<EmbeddedHeadroom, RequestTracker>();
/**
 * Where a request keeps its budget: a symbol property (a WeakMap of every live request costs the
 * garbage collector more than the tracking itself).
 */
const BUDGET = Symbol('headroom.requestBudget');
type Tracked = IncomingMessage & { [BUDGET]?: TrackedRequest };

/**
 * The budget of a request tracked by `budgetListener` (or the Express and Fastify middleware:
 * pass `request.raw` there); `undefined` for a request nothing tracked.
 * @example const signal = requestBudget(req)?.signal;
 */
export function requestBudget(request: IncomingMessage): RequestBudget | undefined {
  return (request as Tracked)[BUDGET];
}

/**
 * The tracker of `headroom` (created on first use).
 * @param caller the public function asking, named in the error
 * @throws {InvalidArgumentError} `HEADROOM_ERR_API_INVALID_ARGUMENT` when `headroom` is not what `start()` returned
 */
export function requestTracker(headroom: Headroom, caller: string): RequestTracker {
  if (!(headroom instanceof EmbeddedHeadroom))
    throw new InvalidArgumentError('headroom', `${caller}: expects the Headroom that start() returned`);
  let tracker = trackers.get(headroom);
  if (tracker === undefined) {
    tracker = new RequestTracker(headroom);
    trackers.set(headroom, tracker);
  }
  return tracker;
}

/**
 * The recording server span of the request in `active`: the HTTP instrumentation's (found through
 * its RPC metadata), or an active span of kind server (e.g. `@fastify/otel`'s without it).
 */
function serverSpanOf(active: Context): Span | undefined {
  const rpc = getRPCMetadata(active);
  if (rpc?.type === RPCType.HTTP && rpc.span.isRecording()) return rpc.span;
  const span = trace.getSpan(active);
  if (span?.isRecording() === true && (span as { kind?: SpanKind }).kind === SpanKind.SERVER) return span;
  return undefined;
}

/** When the span started, ms since the epoch (the SDK's span knows; else now). */
function startOf(span: Span): number {
  const start = (span as { startTime?: [number, number] }).startTime;
  return Array.isArray(start) ? start[0] * 1000 + start[1] / 1e6 : nowEpochMs();
}
