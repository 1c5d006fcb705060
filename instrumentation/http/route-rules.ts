/**
 * Which budget context a request is judged in: the YAML `rules`, asked as if the request were the
 * server span an HTTP instrumentation would end (kind `server`, named `METHOD route`, with
 * `http.route` and `http.request.method`), so one rule judges both that span and the middleware's
 * request. Answers are cached per (method, route).
 */
import { SpanKind } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_ROUTE,
  type Criticality,
  type RuleMatcher,
} from '../../agent/index.ts';

/** What the rules decided for one (method, route). */
export interface RouteMatch {
  /** Budget context; `undefined` when no rule matches: the request is traced, not judged. */
  readonly context: string | undefined;
  /** Series (operation) name: the rule's `operation`, else the span name `METHOD route`. */
  readonly operation: string;
  /** The span name semantic conventions give the server span: `METHOD route`, or `METHOD`. */
  readonly spanName: string;
  /** YAML class of the request: the rule's `criticality`, else its context's; `undefined` when neither sets one. */
  readonly criticality: Criticality | undefined;
}

/** Most (method, route) answers kept; past it each request asks the rules again (bounded memory). */
const MAX_CACHED = 1000;

/** The YAML rules of one service, asked per request route. */
export class RouteRules {
  readonly #rules: RuleMatcher;
  readonly #service: string;
  readonly #namespace: string;
  readonly #contextCriticality: (context: string) => Criticality | undefined;
  readonly #cache = new Map<string, RouteMatch>();
  readonly #classified: boolean;

  /**
   * @param contextCriticality the YAML class of a context (`contexts.<name>.criticality`)
   * @param classified whether any rule or context sets a class
   */
  constructor(
    rules: RuleMatcher,
    service: string,
    namespace: string,
    contextCriticality: (context: string) => Criticality | undefined,
    classified: boolean,
  ) {
    this.#classified = classified;
    this.#rules = rules;
    this.#contextCriticality = contextCriticality;
    this.#service = service;
    this.#namespace = namespace;
  }

  /** Whether any rule or context sets a class (when none does, no route has a YAML class). */
  get classified(): boolean {
    return this.#classified;
  }

  /**
   * The match of a request.
   * @param method HTTP method as received (`GET`)
   * @param route route template (`/users/:id`); `undefined` when the request matched no route
   */
  match(method: string, route: string | undefined): RouteMatch {
    const key = route === undefined ? method : `${method} ${route}`;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const attributes = route === undefined ? {} : { [ATTR_HTTP_ROUTE]: route };
    const span = {
      name: key,
      kind: SpanKind.SERVER,
      attributes: { ...attributes, [ATTR_HTTP_REQUEST_METHOD]: method },
    };
    const found = this.#rules.match(this.#service, span, this.#namespace);
    const criticality =
      found === undefined ? undefined : (found.criticality ?? this.#contextCriticality(found.context));
    const match = { context: found?.context, operation: found?.operation ?? key, spanName: key, criticality };
    if (this.#cache.size < MAX_CACHED) this.#cache.set(key, match);
    return match;
  }
}
