// Public face of collector/receiver: the OTLP/HTTP receiver of collector mode.
export {
  type OtlpReceiver,
  type ReceiverConfig,
  type ReceiverOptions,
  startReceiver,
} from './otlp-receiver.ts';
export type { OtlpPassThrough } from './request-handler.ts';
export type { ReceiverStats, RefusalReason } from './types.ts';
