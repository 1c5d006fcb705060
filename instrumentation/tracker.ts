/**
 * `track()` and `wrap()`: run a function as an operation judged against its context's budget.
 */
import { context, type Span } from '@opentelemetry/api';
import { ATTR_CRITICALITY } from '../agent/index.ts';
import { operationCriticality } from './criticality/active-criticality.ts';
import { type BindingServices, OperationBinding } from './operation-binding.ts';
import { type Operation, OperationHandle } from './operation-handle.ts';
import { runInSpan } from './run-in-span.ts';

/** Runs functions as tracked operations; one per Headroom instance. */
export class Tracker {
  readonly #services: BindingServices;
  // context -> operation -> binding: no key strings are built per call.
  readonly #bindings = new Map<string, Map<string, OperationBinding>>();
  readonly #maxBindings: number;
  #bindingCount = 0;

  /**
   * @param maxBindings most (operation, context) pairs whose binding is kept; beyond, each call
   * builds a short-lived one (silently), so endless operation names cannot grow memory. @default 10000
   */
  constructor(services: BindingServices, maxBindings = 10_000) {
    this.#services = services;
    this.#maxBindings = maxBindings;
  }

  /**
   * Runs `fn` as operation `operation` in budget context `context`, inside a span. Returns what
   * `fn` returns (a promise stays a promise) and throws what it throws.
   * @example
   * const quote = await headroom.track('price-quote', 'emergency', async (op) => {
   *   const route = await op.phase('routing', () => pickRoute());
   *   return fetchQuote(route, { signal: op.signal });
   * });
   */
  track<R, C extends string>(operation: string, context: C, fn: (operation: Operation<C>) => R): R {
    const binding = this.binding(operation, context);
    return this.#services.tracer.startActiveSpan(binding.operation, binding.spanOptions, (span) => {
      markCriticality(span, binding);
      return runInSpan(span, () => fn(new OperationHandle<C>(span, binding)));
    });
  }

  /**
   * Returns `fn` wrapped so that every call is tracked as `operation` in `context`.
   * @example
   * const handler = headroom.wrap('checkout', 'emergency', async (req) => checkout(req));
   */
  wrap<A extends unknown[], R>(operation: string, context: string, fn: (...args: A) => R): (...args: A) => R {
    const binding = this.binding(operation, context);
    const tracer = this.#services.tracer;
    return function tracked(this: unknown, ...args: A): R {
      return tracer.startActiveSpan(binding.operation, binding.spanOptions, (span) => {
        markCriticality(span, binding);
        return runInSpan(span, () => fn.apply(this, args));
      });
    };
  }

  /**
   * The binding of (operation, context), kept for the next call (up to `maxBindings`); what
   * `track()` runs under, and what the HTTP middleware judges a request with.
   */
  binding(operationName: string, contextName: string): OperationBinding {
    // Untyped callers may pass anything: bookkeeping must not throw into the host.
    const operation = typeof operationName === 'string' ? operationName : String(operationName);
    const context = typeof contextName === 'string' ? contextName : String(contextName);
    const found = this.#bindings.get(context)?.get(operation);
    if (found !== undefined) return found;
    if (this.#bindingCount >= this.#maxBindings) {
      return new OperationBinding(operation, context, this.#services, { quiet: true });
    }
    let byOperation = this.#bindings.get(context);
    if (byOperation === undefined) {
      byOperation = new Map();
      this.#bindings.set(context, byOperation);
    }
    const binding = new OperationBinding(operation, context, this.#services);
    byOperation.set(operation, binding);
    this.#bindingCount++;
    return binding;
  }
}

/**
 * Puts the class the operation runs in on its span (`headroom.criticality`): the class settled by
 * code or the HTTP middleware, else the baggage's when it lowers the context's YAML class. Left
 * off otherwise: the span is then judged in its series' YAML class.
 */
function markCriticality(span: Span, binding: OperationBinding): void {
  const criticality = operationCriticality(context.active(), binding.criticality);
  if (criticality !== undefined) span.setAttribute(ATTR_CRITICALITY, criticality);
}
