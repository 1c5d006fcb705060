// Public face of agent/cluster: Node cluster mode's pure parts (deltas, merging, the state workers follow).
export { ClusterHub, type ClusterStats } from './cluster-hub.ts';
export { type Channel, Outbox } from './outbox.ts';
export { type FollowedLoad, WorkerLink } from './worker-link.ts';
