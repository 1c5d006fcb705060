/**
 * Why the receiver refuses single spans (reported as OTLP partial success and counted in
 * `headroom_receiver_spans_rejected_total{reason}`), in the order the error message lists them.
 */
import type { ResolvedConfig } from '../../../config/index.ts';
import { formatMs } from '../../../config/index.ts';

/** Each reason with the phrase that follows the count in `partialSuccess.errorMessage`. */
export const SPAN_REJECTIONS = Object.freeze({
  invalid_id: () => 'with an invalid trace or span id',
  missing_time: () => 'without start or end time',
  end_before_start: () => 'with end time before start time',
  duration: (config: ResolvedConfig) =>
    `lasting longer than window.maxSpanDuration (${formatMs(config.window.maxSpanDuration)})`,
  future: (config: ResolvedConfig) =>
    `with end time one window (${config.window.length / 1000}s) or more ahead of the collector's clock`,
  service_limit: () => "from a new service while the collector's service directory is full",
});

/** A key of {@link SPAN_REJECTIONS}: the `reason` label of rejected spans. */
export type SpanRejectionReason = keyof typeof SPAN_REJECTIONS;
