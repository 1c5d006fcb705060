// Public face of agent/load: Node's overload signals and the rate-limited load factor built on them.
export { LoadMonitor } from './load-monitor.ts';
export { type LoadSampler, type LoadSignals, nodeLoadSampler } from './load-signals.ts';
