// Public face of exporters/delivery: the one delivery engine (bounded queue, retries, HTTP transport).
export { DeliveryQueue } from './delivery-queue.ts';
export {
  classifyNetworkError,
  classifyReply,
  isRetryableAlertStatus,
} from './http-response.ts';
export { HttpTransport } from './http-transport.ts';
export { parseRetryAfterMs } from './retry-after.ts';
export {
  type DeliveryQueueOptions,
  type DeliveryResult,
  type DeliveryStats,
  DROP_REASONS,
  type DropReason,
} from './types.ts';
export { within } from './within.ts';
