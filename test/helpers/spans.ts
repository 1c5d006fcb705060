// Span fixtures: OTLP/JSON requests as a sender posts them, and decoded spans as the receiver hands them on.
import { SpanKind } from '@opentelemetry/api';
import type { DecodedSpan, DecodedTraces } from '../../collector/receiver/types.ts';

/**
 * One OTLP/JSON trace request: `count` server spans `GET /quote` (`http.route: /quote`) of
 * `durationMs` each from service `service`, all ending now (wall clock).
 */
export function otlpJsonTraces(service: string, count: number, durationMs: number): string {
  const endNs = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: count }, (_, i) => ({
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: (0x1000 + i).toString(16).padStart(16, '0'),
    name: 'GET /quote',
    kind: 2,
    startTimeUnixNano: String(endNs - BigInt(durationMs * 1_000_000)),
    endTimeUnixNano: String(endNs),
    attributes: [{ key: 'http.route', value: { stringValue: '/quote' } }],
  }));
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{ scope: { name: 'test' }, spans }],
      },
    ],
  });
}

/**
 * A decoded server span `GET /quote` of `durationMs` ending at `endTimeMs`, status unset, valid ids,
 * in context `emergency` as operation `quote` (by its headroom attributes); `overrides` win.
 */
export function decodedSpan(
  endTimeMs: number,
  durationMs: number,
  overrides: Partial<DecodedSpan> = {},
): DecodedSpan {
  return {
    name: 'GET /quote',
    kind: SpanKind.SERVER,
    startTimeMs: endTimeMs - durationMs,
    endTimeMs,
    statusCode: 0,
    attributes: { 'headroom.budget.context': 'emergency', 'headroom.operation': 'quote' },
    idsValid: true,
    ...overrides,
  };
}

/** `spans` as one decoded request: one resource (`service`, namespace `shop`), one scope. */
export function decodedTraces(spans: DecodedSpan[], service = 'checkout', scopeName = 'app'): DecodedTraces {
  return {
    resources: [{ service, namespace: 'shop', scopes: [{ scopeName, spans }] }],
    spanCount: spans.length,
  };
}
