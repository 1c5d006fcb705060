import type { SpanRejectionReason } from '../../../collector/receiver/span-rejections.ts';

/** `rejectedBy` of an outcome: every reason 0 but the given ones. */
export function rejectedBy(counts: Partial<Record<SpanRejectionReason, number>> = {}) {
  return {
    invalid_id: 0,
    missing_time: 0,
    end_before_start: 0,
    duration: 0,
    future: 0,
    service_limit: 0,
    ...counts,
  };
}
