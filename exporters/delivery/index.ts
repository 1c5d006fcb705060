// Public face of exporters/delivery: the one delivery engine (bounded queue, retries, HTTP transport).
export { DeliveryQueue } from './delivery-queue.ts';
export {
  classifyNetworkError,
  classifyReply,
  type HttpResult,
  isRetryableAlertStatus,
  isRetryableOtlpStatus,
  RETRYABLE_NETWORK_CODES,
  RETRYABLE_STATUSES,
} from './http-response.ts';
export { HttpTransport, type HttpTransportOptions } from './http-transport.ts';
export { parseRetryAfterMs } from './retry-after.ts';
export {
  type DeliveryQueueOptions,
  type DeliveryResult,
  type DeliveryStats,
  DROP_REASONS,
  type DropReason,
  type EntrySize,
  type OverflowPolicy,
} from './types.ts';
export { within } from './within.ts';
