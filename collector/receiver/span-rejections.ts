/**
 * Why the receiver refuses single spans (reported as OTLP partial success and counted in
 * `headroom_receiver_spans_rejected_total{reason}`), in the order the error message lists them.
 */
import type { ResolvedConfig } from '../../config/index.ts';
import { formatMs } from '../../config/index.ts';
import type { DecodedSpan } from './types.ts';

/** Each reason with the phrase that follows the count in `partialSuccess.errorMessage`. */
export const SPAN_REJECTIONS = Object.freeze({
  invalid_id: () => 'with an invalid trace or span id',
  missing_time: () => 'without start or end time',
  end_before_start: () => 'with end time before start time',
  duration: (config: ResolvedConfig) =>
    `lasting longer than window.maxSpanDuration (${formatMs(config.window.maxSpanDurationMs)})`,
  future: (config: ResolvedConfig) =>
    `with end time one window (${config.window.lengthMs / 1000}s) or more ahead of the collector's clock`,
  service_limit: () =>
    'from a new service or namespace while limits.services or limits.namespaces is reached',
});

/** A key of {@link SPAN_REJECTIONS}: the `reason` label of rejected spans. */
export type SpanRejectionReason = keyof typeof SPAN_REJECTIONS;

/** Counts of every reason, all 0. */
export function noRejections(): Record<SpanRejectionReason, number> {
  const counts = {} as Record<SpanRejectionReason, number>;
  for (const reason of Object.keys(SPAN_REJECTIONS) as SpanRejectionReason[]) counts[reason] = 0;
  return counts;
}

/** The rejection reason of a span before its end time is checked, or `undefined` when it has none. */
export function problemOf(span: DecodedSpan, maxDurationMs: number): SpanRejectionReason | undefined {
  if (!span.idsValid) return 'invalid_id';
  if (span.startTimeMs === 0 || span.endTimeMs === 0) return 'missing_time';
  if (span.endTimeMs < span.startTimeMs) return 'end_before_start';
  // Written so that a NaN duration is refused too (decoders give finite times, but never trust).
  if (!(span.endTimeMs - span.startTimeMs <= maxDurationMs)) return 'duration';
  return undefined;
}

/**
 * e.g. `rejected 3 of 10 spans: 1 with an invalid trace or span id, 2 with end time before start time`.
 */
export function rejectionMessage(
  rejected: Readonly<Record<SpanRejectionReason, number>>,
  rejectedTotal: number,
  total: number,
  config: ResolvedConfig,
): string {
  const parts = (Object.keys(SPAN_REJECTIONS) as SpanRejectionReason[]).flatMap((reason) =>
    rejected[reason] === 0 ? [] : [`${rejected[reason]} ${SPAN_REJECTIONS[reason](config)}`],
  );
  return `rejected ${rejectedTotal} of ${total} spans: ${parts.join(', ')}`;
}
