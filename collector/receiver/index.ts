// Public face of collector/receiver: the OTLP/HTTP receiver of collector mode.
export {
  type OtlpReceiver,
  type ReceiverOptions,
  startReceiver,
} from './otlp-receiver.ts';
