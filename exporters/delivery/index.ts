// Public face of exporters/delivery: the one delivery engine (bounded queue, retries, HTTP and gRPC transports).
export { DeliveryQueue } from './delivery-queue.ts';
export { GrpcTransport, OTLP_GRPC_METHODS } from './grpc-transport.ts';
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
  type Transport,
} from './types.ts';
export { within } from './within.ts';
