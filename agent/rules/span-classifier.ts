/**
 * Which series a finished span feeds, whether it comes from the embedded span processor or from
 * OTLP in collector mode: spans from `track()` carry their operation, context and phase as
 * `headroom.*` attributes; other spans (auto-instrumentation, other languages) are mapped by the
 * YAML rules; Headroom's own decision spans are never judged.
 */
import type { AttributeValue } from '@opentelemetry/api';
import type { SeriesHandle } from '../recorder.ts';
import { ATTR_BUDGET_CONTEXT, ATTR_OPERATION, ATTR_PHASE, HEADROOM_SCOPE } from '../semconv.ts';
import type { ServiceHandles } from '../series-handles.ts';
import type { MatchableSpan, RuleMatcher } from './rule-matcher.ts';

/**
 * The handle of the series a span of `handles.service` feeds, or `undefined` when nothing judges
 * it. Allocates nothing once the handle is bound: the handles are kept by the names found here.
 * @param scopeName instrumentation scope name of the span's tracer
 */
export function classifySpan(
  handles: ServiceHandles,
  span: MatchableSpan,
  scopeName: string | undefined,
  rules: RuleMatcher,
): SeriesHandle | undefined {
  const attributes = span.attributes;
  const context = attributes[ATTR_BUDGET_CONTEXT];
  if (typeof context === 'string') {
    const operation = stringOr(attributes[ATTR_OPERATION], span.name);
    return handles.handle(operation, context, stringOr(attributes[ATTR_PHASE], ''));
  }
  if (rules.empty || scopeName === HEADROOM_SCOPE) return undefined;
  const match = rules.match(handles.service, span, handles.namespace);
  if (match === undefined) return undefined;
  return handles.handle(match.operation ?? span.name, match.context, '', match.criticality);
}

function stringOr(value: AttributeValue | undefined, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}
