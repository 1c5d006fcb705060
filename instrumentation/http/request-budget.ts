/**
 * The budget of one HTTP request, as the middleware hangs it on the request (`req.headroom`):
 * its route's context from the YAML rules, the time left, and an AbortSignal for the hard deadline
 * or the client going away. The route is resolved once known; everything that costs (the signal's
 * timer) happens only when asked for.
 */
import { type Span, SpanStatusCode } from '@opentelemetry/api';
import {
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_HTTP_STATUS_CLASS,
  ATTR_OPERATION,
  type Criticality,
  DEFAULT_CRITICALITY,
  type TimerHandle,
} from '../../agent/index.ts';
import type { ContextName } from '../../config/index.ts';
import type { OperationBinding } from '../operation-binding.ts';
import { nowEpochMs } from '../operation-handle.ts';
import type { RouteMatch } from './route-rules.ts';

/** What a handler reads from `req.headroom` (Express, Fastify) or `requestBudget(req)` (node:http). */
export interface RequestBudget {
  /** The request's server span: the HTTP instrumentation's when one is active, else the middleware's own. */
  readonly span: Span;
  /** Route template (`/users/:id`); `undefined` before routing or when the request matched no route. */
  readonly route: string | undefined;
  /**
   * Budget context the YAML rules give the route (a configured context: a `ContextName` with the
   * typed names of `headroom types`); `undefined` when none matches (traced, not judged).
   */
  readonly context: ContextName | undefined;
  /** Series (operation) name: the matching rule's `operation`, else `METHOD route`. */
  readonly operation: string;
  /**
   * The request's criticality class (code hook, else the route's YAML class, else baggage, trust
   * permitting; CRITICAL by default): the class it was admitted in, on its span and in its baggage.
   */
  readonly criticality: Criticality;
  /** Effective budget now (base x load x modifiers x class multiplier), ms; `Infinity` when not judged. */
  budgetMs(): number;
  /** Budget left since the request arrived, ms (negative once over budget; `Infinity` when not judged). */
  remainingMs(): number;
  /**
   * Aborts with a `TimeoutError` at the hard deadline (budget x the context's `hardDeadlineFactor`,
   * default 2, from the request's arrival, on the agent's clock), or with an `AbortError` when the
   * client disconnects before the response is complete. Created on first access.
   */
  readonly signal: AbortSignal;
}

/** What a {@link TrackedRequest} needs from the tracker. */
export interface RequestServices {
  match(method: string, route: string | undefined): RouteMatch;
  bind(operation: string, context: string): OperationBinding;
}

/** Where the request's route comes from. */
export interface RouteSource {
  /** The route template now, `undefined` when none (yet). */
  routeOf(): string | undefined;
  /** Whether `routeOf()` is final from the start (node:http, Fastify) or only once routed (Express). */
  readonly routedAtStart: boolean;
}

/** Longest delay a Node timer accepts, ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** One request between its arrival and the response's `close`. */
export class TrackedRequest implements RequestBudget {
  readonly span: Span;
  readonly #services: RequestServices;
  readonly #method: string;
  readonly #source: RouteSource;
  readonly #startMs: number;
  /** Whether the middleware started `span` (and so names and ends it). */
  readonly #ownSpan: boolean;
  /** Sets the route on the HTTP instrumentation's RPC metadata (it names its span after it). */
  readonly #onRoute: (route: string) => void;
  #match: RouteMatch | undefined;
  #binding: OperationBinding | undefined;
  #controller: AbortController | undefined;
  #deadline: TimerHandle | undefined;
  #route: string | undefined;
  #finished = false;
  #statusClass = false;
  /** Set by the tracker once the request's class is resolved. */
  criticality: Criticality = DEFAULT_CRITICALITY;

  constructor(
    span: Span,
    ownSpan: boolean,
    request: { readonly method: string; readonly startMs: number; readonly source: RouteSource },
    services: RequestServices,
    onRoute: (route: string) => void,
  ) {
    this.span = span;
    this.#ownSpan = ownSpan;
    this.#method = request.method;
    this.#startMs = request.startMs;
    this.#source = request.source;
    this.#services = services;
    this.#onRoute = onRoute;
    if (request.source.routedAtStart) this.#resolve(true);
  }

  get route(): string | undefined {
    this.#resolve(false);
    return this.#route;
  }

  get context(): ContextName | undefined {
    // The rules' contexts are validated against the configured ones when the config loads.
    return this.#resolve(false)?.context as ContextName | undefined;
  }

  get operation(): string {
    return this.#resolve(false)?.operation ?? this.#method;
  }

  /** The YAML class of the request's route (its rule's, else its context's), once the route is known. */
  routeCriticality(): Criticality | undefined {
    return this.#resolve(false)?.criticality;
  }

  budgetMs(): number {
    this.#resolve(false);
    return this.#binding?.effectiveBudgetMs() ?? Number.POSITIVE_INFINITY;
  }

  remainingMs(): number {
    return this.budgetMs() - (nowEpochMs() - this.#startMs);
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      this.#arm();
    }
    // Read before Express routed the request, the deadline starts once the route is known.
    this.#resolve(false);
    return this.#controller.signal;
  }

  /**
   * The response's status is decided (Fastify's `onSend`, before `@fastify/otel` ends its span):
   * records the status class once; a 5xx marks the span as an error.
   */
  responded(statusCode: number): void {
    if (this.#statusClass || statusCode < 100 || statusCode >= 600) return;
    this.#statusClass = true;
    this.span.setAttribute(ATTR_HTTP_STATUS_CLASS, `${Math.floor(statusCode / 100)}xx`);
    if (this.#ownSpan) this.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
    if (statusCode >= 500) this.span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${statusCode}` });
  }

  /**
   * The response closed (sent, or the client went away): the route is final, the status class is
   * recorded when the headers went out (a 5xx marks the span as an error), the signal aborts when
   * the response was not complete, and the middleware's own span ends. Never throws.
   */
  finish(response: {
    readonly statusCode: number;
    readonly headersSent: boolean;
    readonly writableFinished: boolean;
  }): void {
    this.#resolve(true);
    this.#finished = true;
    this.#deadline?.cancel();
    if (response.headersSent) this.responded(response.statusCode);
    if (!response.writableFinished && this.#controller?.signal.aborted === false) {
      this.#controller.abort(
        new DOMException('The client disconnected before the response was complete', 'AbortError'),
      );
    }
    if (this.#ownSpan) this.span.end();
  }

  /** The route's match, once the route is known (or `final`: no route will come). */
  #resolve(final: boolean): RouteMatch | undefined {
    if (this.#match !== undefined) return this.#match;
    const route = this.#source.routeOf();
    if (route === undefined && !final) return undefined;
    const match = this.#services.match(this.#method, route);
    this.#match = match;
    if (match.context !== undefined) {
      this.#binding = this.#services.bind(match.operation, match.context);
      this.span.setAttributes({ ...this.#binding.spanOptions.attributes, [ATTR_OPERATION]: match.operation });
    }
    if (route !== undefined) {
      this.#route = route;
      this.span.setAttribute(ATTR_HTTP_ROUTE, route);
      this.#onRoute(route);
      if (this.#ownSpan) this.span.updateName(match.spanName);
    }
    if (this.#controller !== undefined) this.#arm();
    return match;
  }

  /** Starts the hard-deadline timer once both the signal and the budget exist. */
  #arm(): void {
    const binding = this.#binding;
    const controller = this.#controller;
    if (binding === undefined || controller === undefined || this.#deadline !== undefined || this.#finished)
      return;
    const deadlineMs = binding.effectiveBudgetMs() * binding.hardDeadlineFactor;
    const leftMs = Math.max(0, Math.ceil(deadlineMs - (nowEpochMs() - this.#startMs)));
    if (leftMs > MAX_TIMER_MS) return;
    this.#deadline = binding.clock.after(leftMs, () => {
      if (!controller.signal.aborted)
        controller.abort(new DOMException('The request ran past its budget', 'TimeoutError'));
    });
  }
}
