/** The ids of decision events on the Server-Sent Events stream (`id:` out, `Last-Event-ID` back in). */
import type { ServiceId } from '../../agent/index.ts';

/**
 * The event id of a decision: `{service}:{seq}` in the empty namespace, `{namespace}/{service}:{seq}`
 * otherwise; names are percent-encoded as URL path segments are (`encodeURIComponent`), so `/` and
 * `:` inside a name cannot be mistaken for separators (a lone surrogate as U+FFFD: never a `URIError`).
 * @example decisionEventId({ namespace: 'payments', service: 'checkout' }, 3) // 'payments/checkout:3'
 */
export function decisionEventId(id: ServiceId, seq: number): string {
  const service = encodeURIComponent(id.service.toWellFormed());
  const namespace = encodeURIComponent(id.namespace.toWellFormed());
  return id.namespace === '' ? `${service}:${seq}` : `${namespace}/${service}:${seq}`;
}

/** A `Last-Event-ID` read back: the service and the seq of its last decision seen. */
export interface DecisionEventId extends ServiceId {
  readonly seq: number;
}

/** Reads a `Last-Event-ID` written by {@link decisionEventId}; `undefined` when it is not one of ours. */
export function parseDecisionEventId(id: string | undefined): DecisionEventId | undefined {
  if (id === undefined) return undefined;
  const colon = id.lastIndexOf(':');
  const digits = id.slice(colon + 1);
  const seq = Number(digits);
  if (colon <= 0 || !/^\d+$/.test(digits) || !Number.isSafeInteger(seq)) return undefined;
  const names = id.slice(0, colon).split('/');
  if (names.length > 2 || names.some((name) => name === '')) return undefined;
  const decoded = names.map(decodeName);
  if (decoded.includes(undefined)) return undefined;
  const [first, second] = decoded as string[];
  return second === undefined
    ? { namespace: '', service: first as string, seq }
    : { namespace: first as string, service: second, seq };
}

function decodeName(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
