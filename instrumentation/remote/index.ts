// Public face of instrumentation/remote: degradation decisions and admission from collector mode.
export type { BackoffOptions } from './backoff.ts';
export {
  type ConnectDecisionsOptions,
  connectDecisions,
  followDecisions,
  type RemoteAdmissionState,
  type RemoteDecisions,
  type RemoteDecisionsState,
} from './remote-decisions.ts';
export { SseParser } from './sse-parser.ts';
