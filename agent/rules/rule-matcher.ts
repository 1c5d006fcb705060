/**
 * Maps finished spans from auto-instrumentation (http, express, pg, ...) to a context through the
 * YAML rules, so a service gets budgets without code changes. The first matching rule wins.
 */
import { type Attributes, SpanKind } from '@opentelemetry/api';
import type { ResolvedConfig } from '../../config/index.ts';
import type { Criticality } from '../admission/criticality.ts';

/** What a rule decides for a span. */
export interface RuleMatch {
  readonly context: string;
  /** Operation name for the series; `undefined` means the span name. */
  readonly operation: string | undefined;
  /** The rule's `criticality`; `undefined` when it sets none (then its context's, else CRITICAL). */
  readonly criticality: Criticality | undefined;
}

/** The span fields rules look at (a ReadableSpan, or a span decoded from OTLP). */
export interface MatchableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly attributes: Attributes;
}

const KINDS: Readonly<Record<string, SpanKind>> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};

interface CompiledRule {
  readonly namespace: string | undefined;
  readonly service: string | undefined;
  readonly spanName: string | undefined;
  readonly pattern: RegExp | undefined;
  readonly kind: SpanKind | undefined;
  readonly attributes: readonly (readonly [string, string | number | boolean])[];
  readonly match: RuleMatch;
}

/** Compiled rules; `match` is called for every finished span that carries no Headroom context. */
export class RuleMatcher {
  readonly #rules: readonly CompiledRule[];

  constructor(rules: ResolvedConfig['rules']) {
    this.#rules = rules.map((rule) => ({
      namespace: rule.match.namespace,
      service: rule.match.service,
      spanName: rule.match.spanName,
      pattern: rule.match.spanNamePattern === undefined ? undefined : new RegExp(rule.match.spanNamePattern),
      kind: rule.match.kind === undefined ? undefined : KINDS[rule.match.kind],
      attributes: Object.entries(rule.match.attributes ?? {}),
      match: { context: rule.context, operation: rule.operation, criticality: rule.criticality },
    }));
  }

  /** Whether any rule exists (when none, spans without a Headroom context are skipped at once). */
  get empty(): boolean {
    return this.#rules.length === 0;
  }

  /**
   * The first rule matching the span of `service` in `namespace`, or `undefined`.
   * @param namespace `service.namespace` of the span's service; '' (the default) when none
   */
  match(service: string, span: MatchableSpan, namespace = ''): RuleMatch | undefined {
    for (const rule of this.#rules) {
      if (rule.namespace !== undefined && rule.namespace !== namespace) continue;
      if (rule.service !== undefined && rule.service !== service) continue;
      if (rule.kind !== undefined && rule.kind !== span.kind) continue;
      if (rule.spanName !== undefined && rule.spanName !== span.name) continue;
      if (rule.pattern !== undefined && !rule.pattern.test(span.name)) continue;
      if (!rule.attributes.every(([key, value]) => span.attributes[key] === value)) continue;
      return rule.match;
    }
    return undefined;
  }
}
