/**
 * Which series a finished span feeds, whether it comes from the embedded span processor or from
 * OTLP in collector mode: spans from `track()` carry their operation, context and phase as
 * `headroom.*` attributes; other spans (auto-instrumentation, other languages) are mapped by the
 * YAML rules; Headroom's own decision spans are never judged.
 */
import type { AttributeValue } from '@opentelemetry/api';
import { ATTR_BUDGET_CONTEXT, ATTR_OPERATION, ATTR_PHASE, HEADROOM_SCOPE } from '../semconv.ts';
import type { MatchableSpan, RuleMatcher } from './rule-matcher.ts';

/** Where a span's sample goes. */
export interface SpanTarget {
  readonly operation: string;
  readonly context: string;
  /** '' for the whole operation. */
  readonly phase: string;
}

/**
 * The series of a span, or `undefined` when nothing judges it. Allocates only the result.
 * @param scopeName instrumentation scope name of the span's tracer
 * @param namespace `service.namespace` of the span's service; '' when none
 */
export function classifySpan(
  service: string,
  span: MatchableSpan,
  scopeName: string | undefined,
  rules: RuleMatcher,
  namespace = '',
): SpanTarget | undefined {
  const attributes = span.attributes;
  const context = attributes[ATTR_BUDGET_CONTEXT];
  if (typeof context === 'string') {
    return {
      operation: stringOr(attributes[ATTR_OPERATION], span.name),
      context,
      phase: stringOr(attributes[ATTR_PHASE], ''),
    };
  }
  if (rules.empty || scopeName === HEADROOM_SCOPE) return undefined;
  const match = rules.match(service, span, namespace);
  if (match === undefined) return undefined;
  return { operation: match.operation ?? span.name, context: match.context, phase: '' };
}

function stringOr(value: AttributeValue | undefined, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}
