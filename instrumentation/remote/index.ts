// Public face of instrumentation/remote: degradation decisions from collector mode.
export type { BackoffOptions } from './backoff.ts';
export {
  type ConnectDecisionsOptions,
  connectDecisions,
  followDecisions,
  type RemoteDecisions,
  type RemoteDecisionsState,
} from './remote-decisions.ts';
