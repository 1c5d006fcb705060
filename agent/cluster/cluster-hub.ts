/**
 * The primary's side of cluster mode, without the IPC wiring: it merges the workers' deltas into
 * the agent (which then judges the whole group's windows and exports its counts), keeps the
 * workers' load signals (the agent's load sampler: the heaviest live worker) and their admission
 * (ratios and admit() counts, into the agent's controllers), and tells every worker the group's
 * state (levels, disabled features, modifiers, load factor, admission in force) when it changed.
 * Never throws into its caller.
 */
import { diag } from '@opentelemetry/api';
import { CRITICALITIES } from '../admission/criticality.ts';
import type { Agent } from '../agent.ts';
import type { LoadSampler, LoadSignals } from '../load/index.ts';
import { mergeAdmission } from './admission-merge.ts';
import { mergeDelta } from './delta-merge.ts';
import {
  CLUSTER_PROTOCOL,
  clusterMessageType,
  dropsOf,
  isDeltaWindow,
  loadSignalsOf,
  type StateMessage,
  type WorkerDrops,
} from './protocol.ts';

/** The cluster's own counters, for the primary's metrics. */
export interface ClusterStats {
  /** Workers that said hello (or shipped a delta) and have not exited. */
  readonly workers: number;
  /** Workers that exited (their deltas up to the last one stay merged). */
  readonly workersExited: number;
  /** Deltas merged. */
  readonly deltas: number;
  /** Cluster messages refused whole: malformed, or taken with another window shape. */
  readonly messagesRefused: number;
  /** Series deltas refused: malformed, or histogram counts of other bounds. */
  readonly seriesRefused: number;
  /** Slots dropped from deltas: malformed or older than the window. */
  readonly slotsDropped: number;
  /** Samples the workers reported dropped, by reason, summed over every worker that ever shipped. */
  readonly samplesDropped: WorkerDrops;
  /** Admission entries refused from deltas (malformed ratio buckets or services). */
  readonly admissionRefused: number;
  /** Times a worker dropped the primary's shedding, not renewed in time (worker-admission.ts). */
  readonly admissionFallbacks: number;
  /**
   * Admission ratios that reached the primary too late for the window: counted finished, in no
   * percentile (admission-merge.ts).
   */
  readonly admissionLate: number;
}

/** Sends the group's state to one worker (the IPC wiring's job). */
export type SendState = (workerId: number, message: StateMessage) => void;

/**
 * The state goes out again after this long even unchanged, ms: a worker that drifted on its own
 * (an `override()` called in the worker) is brought back.
 */
const REFRESH_MS = 10_000;

const IDLE: LoadSignals = Object.freeze({ eventLoopDelayP99Ms: 0, eventLoopUtilization: 0, cpu: 0 });

export class ClusterHub {
  readonly #agent: Agent;
  readonly #send: SendState;
  /** Live workers by id, with their last load signals. */
  readonly #workers = new Map<number, LoadSignals | undefined>();
  #lastState = '';
  #lastBroadcastMs = Number.NEGATIVE_INFINITY;
  #exited = 0;
  #deltas = 0;
  #messagesRefused = 0;
  #seriesRefused = 0;
  #slotsDropped = 0;
  #admissionRefused = 0;
  #admissionLate = 0;
  #admissionFallbacks = 0;
  readonly #dropped = { invalid: 0, late: 0, duration: 0, backlog: 0 };

  constructor(agent: Agent, send: SendState) {
    this.#agent = agent;
    this.#send = send;
  }

  /** The heaviest live worker's signals per signal (idle without workers), for the agent's load monitor. */
  readonly loadSampler: LoadSampler = {
    sample: () => {
      let delay = 0;
      let utilization = 0;
      let cpu = 0;
      for (const signals of this.#workers.values()) {
        const { eventLoopDelayP99Ms, eventLoopUtilization, cpu: workerCpu } = signals ?? IDLE;
        delay = Math.max(delay, eventLoopDelayP99Ms);
        utilization = Math.max(utilization, eventLoopUtilization);
        cpu = Math.max(cpu, workerCpu);
      }
      return { eventLoopDelayP99Ms: delay, eventLoopUtilization: utilization, cpu };
    },
    close: () => {},
  };

  /** Registers a worker (known or new) and sends it the group's state. */
  join(workerId: number): void {
    if (!this.#workers.has(workerId)) this.#workers.set(workerId, undefined);
    this.#sendTo(workerId, this.state());
  }

  /**
   * Takes one message from a worker: a hello (answered with the state) or a delta (merged).
   * Returns false for a message that is not Headroom's (the service's own). Never throws.
   */
  receive(workerId: number, message: unknown): boolean {
    const type = clusterMessageType(message);
    if (type === undefined) return false;
    try {
      if (type === 'hello') this.join(workerId);
      else if (type === 'delta') this.#merge(workerId, message as Record<string, unknown>);
      else this.#messagesRefused++;
    } catch (error) {
      this.#messagesRefused++;
      diag.error('headroom: a cluster message could not be merged', error);
    }
    return true;
  }

  /** Forgets an exited worker: its load no longer counts; what it shipped stays merged. */
  exit(workerId: number): void {
    if (this.#workers.delete(workerId)) this.#exited++;
  }

  /**
   * Sends the group's state to every live worker when it changed since the last broadcast, or
   * when that was 10 s ago or more; one evaluation interval while some service's admission rejects
   * anything (the workers drop a shedding state not renewed in time: worker-admission.ts).
   */
  broadcast(): void {
    const state = this.state();
    const text = JSON.stringify(state);
    const nowMs = this.#agent.clock.now();
    const shedding = state.admission.some((a) => CRITICALITIES.some((c) => a.probabilities[c] > 0));
    const refreshMs = shedding ? this.#agent.config.evaluation.intervalMs : REFRESH_MS;
    if (text === this.#lastState && nowMs - this.#lastBroadcastMs < refreshMs) return;
    this.#lastState = text;
    this.#lastBroadcastMs = nowMs;
    for (const workerId of this.#workers.keys()) this.#sendTo(workerId, state);
  }

  /** The group's state as the workers receive it. */
  state(): StateMessage {
    const agent = this.#agent;
    const ids = agent.services();
    return {
      protocol: CLUSTER_PROTOCOL,
      type: 'state',
      services: ids.map(({ service, namespace }) => agent.degradation(service, namespace).state()),
      modifiers: agent.modifiers.active(),
      loadFactor: agent.load.factor,
      admission: ids.map((id) => ({ ...id, ...agent.admission(id.service, id.namespace).followable() })),
    };
  }

  stats(): ClusterStats {
    return {
      workers: this.#workers.size,
      workersExited: this.#exited,
      deltas: this.#deltas,
      messagesRefused: this.#messagesRefused,
      seriesRefused: this.#seriesRefused,
      slotsDropped: this.#slotsDropped,
      samplesDropped: { ...this.#dropped },
      admissionRefused: this.#admissionRefused,
      admissionFallbacks: this.#admissionFallbacks,
      admissionLate: this.#admissionLate,
    };
  }

  #merge(workerId: number, message: Record<string, unknown>): void {
    const window = message.window;
    const own = this.#agent.config.window;
    if (
      !isDeltaWindow(window) ||
      window.windowMs !== own.lengthMs ||
      window.resolutionMs !== own.resolutionMs ||
      window.relativeAccuracy !== own.relativeAccuracy
    ) {
      this.#messagesRefused++;
      return;
    }
    if (!this.#workers.has(workerId)) this.join(workerId);
    const signals = loadSignalsOf(message.load);
    if (signals !== undefined) this.#workers.set(workerId, signals);
    const counts = mergeDelta(this.#agent.registry, window, message.series);
    this.#deltas++;
    this.#seriesRefused += counts.seriesRefused;
    this.#slotsDropped += counts.slotsDropped;
    const dropped = dropsOf(message.dropped);
    for (const reason of ['invalid', 'late', 'duration', 'backlog'] as const)
      this.#dropped[reason] += dropped[reason];
    const merged = mergeAdmission(this.#agent, message.admission);
    this.#admissionRefused += merged.refused;
    this.#admissionLate += merged.late;
    const { admissionFallbacks: fallbacks } = message;
    if (Number.isSafeInteger(fallbacks) && (fallbacks as number) > 0)
      this.#admissionFallbacks += fallbacks as number;
  }

  #sendTo(workerId: number, message: StateMessage): void {
    try {
      this.#send(workerId, message);
    } catch (error) {
      diag.error('headroom: the cluster state could not be sent to a worker', error);
    }
  }
}
