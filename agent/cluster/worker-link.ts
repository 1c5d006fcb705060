/**
 * A cluster worker's side, without the IPC wiring: its agent records locally (it does not judge);
 * a tap copies each accepted sample into a {@link DeltaBuffer}, shipped to the primary each tick
 * as bounded deltas once the primary has answered; the state the primary sends back (levels,
 * disabled features, modifiers, load factor) is what the worker's `features`, level and budgets
 * follow, and so does its `admit()`: the primary's probabilities, with what it admitted and the
 * ratios it saw shipped up (worker-admission.ts). Never throws into the worker; never keeps it alive.
 */
import { diag } from '@opentelemetry/api';
import type { Agent } from '../agent.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { type DegradationState, isDegradationLevel } from '../degradation/index.ts';
import { isFiniteNumber, isRecord } from '../durable-state.ts';
import type { LoadSampler } from '../load/index.ts';
import { WINDOW_STATE_VERSION } from '../window/index.ts';
import { followedAdmissionsOf } from './admission-merge.ts';
import { DeltaBuffer } from './delta-buffer.ts';
import type { Outbox } from './outbox.ts';
import {
  CLUSTER_PROTOCOL,
  clusterMessageType,
  type DeltaMessage,
  type HelloMessage,
  type WorkerDrops,
} from './protocol.ts';
import { WorkerAdmission } from './worker-admission.ts';

const HELLO: HelloMessage = Object.freeze({ protocol: CLUSTER_PROTOCOL, type: 'hello' });

/** The load factor a worker's budgets follow: the primary's, 1 until it answered. */
export interface FollowedLoad {
  factor: number;
}

/** Options of {@link WorkerLink}. */
export interface WorkerLinkOptions {
  /** The worker's agent; not started (it records, the primary judges). */
  readonly agent: Agent;
  /** The channel to the primary. */
  readonly outbox: Outbox;
  /** Its budgets' load factor source (the agent's `budgetLoad`), set from each state received. */
  readonly followedLoad: FollowedLoad;
  /** The worker's own load, shipped with each delta; absent when adaptive scaling is off. */
  readonly loadSampler?: LoadSampler;
  /** @default the agent's clock */
  readonly clock?: Clock;
}

/** Sketch bins per delta message, about: one message stays around a few hundred KB of JSON at most. */
const MAX_MESSAGE_BINS = 65_536;

export class WorkerLink {
  readonly #agent: Agent;
  readonly #outbox: Outbox;
  readonly #followed: FollowedLoad;
  readonly #loadSampler: LoadSampler | undefined;
  readonly #clock: Clock;
  readonly #buffer: DeltaBuffer;
  readonly #admission: WorkerAdmission;
  #timer: TimerHandle | undefined;
  #answered = false;
  /** The agent's drop counters at the last delta, to ship their increase. */
  #shippedDrops: WorkerDrops = { invalid: 0, late: 0, duration: 0, backlog: 0 };

  constructor(options: WorkerLinkOptions) {
    this.#agent = options.agent;
    this.#outbox = options.outbox;
    this.#followed = options.followedLoad;
    this.#loadSampler = options.loadSampler;
    this.#clock = options.clock ?? options.agent.clock;
    const { lengthMs, resolutionMs, relativeAccuracy } = options.agent.config.window;
    this.#buffer = new DeltaBuffer({ windowMs: lengthMs, resolutionMs, relativeAccuracy });
    this.#admission = new WorkerAdmission(options.agent);
  }

  /** Times the primary's shedding was dropped as not renewed in time (the level's floors stayed). */
  get admissionFallbacks(): number {
    return this.#admission.fallbacks;
  }

  /** Whether the primary has answered (sent its state) at least once. */
  get answered(): boolean {
    return this.#answered;
  }

  /** Samples dropped as older than the window before they could be shipped. */
  get droppedBacklog(): number {
    return this.#buffer.droppedBacklog;
  }

  /** Taps the agent's samples, says hello, and ships every evaluation interval (unref'd timer). */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#agent.tapSamples(this.#buffer.record);
    this.#agent.tapAdmission(this.#admission.record);
    this.#outbox.send(HELLO);
    this.#timer = this.#clock.every(this.#agent.config.evaluation.intervalMs, () => this.tick());
  }

  /** Stops shipping; a last delta goes out when the channel takes it. */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#agent.tapSamples(undefined);
    this.#agent.tapAdmission(undefined);
    this.tick();
  }

  /**
   * One tick: forgets idle series, drops what aged out of the window unshipped, then ships the
   * deltas while the channel takes them (hello again while the primary has not answered).
   */
  tick(): void {
    try {
      const nowMs = this.#clock.now();
      this.#agent.registry.prune(this.#agent.config.limits.idleTimeMs, nowMs);
      this.#buffer.expire(nowMs);
      this.#admission.expire(nowMs);
      this.#admission.checkStale(nowMs);
      if (!this.#answered) {
        this.#outbox.send(HELLO);
        return;
      }
      const load = this.#loadSampler?.sample();
      let first = true;
      do {
        if (!this.#outbox.ready) return;
        // Admission goes with the first delta: its ratios and counts with the samples of the same time.
        this.#outbox.send(this.#delta(load, first));
        first = false;
      } while (!this.#buffer.empty);
    } catch (error) {
      diag.error('headroom: a cluster delta could not be shipped', error);
    }
  }

  /**
   * Takes one message from the primary; returns false for one that is not Headroom's. A state is
   * followed: every service's level and features, the modifiers and the load factor. Never throws.
   */
  receive(message: unknown): boolean {
    if (clusterMessageType(message) !== 'state') return clusterMessageType(message) !== undefined;
    try {
      this.#follow(message as Record<string, unknown>);
    } catch (error) {
      diag.error('headroom: the cluster state could not be followed', error);
    }
    return true;
  }

  #delta(load: DeltaMessage['load'], withAdmission: boolean): DeltaMessage {
    const { lengthMs, resolutionMs, relativeAccuracy } = this.#agent.config.window;
    const series = this.#buffer.take(MAX_MESSAGE_BINS);
    const health = this.#agent.health();
    const now = {
      invalid: health.samplesDroppedInvalid,
      late: health.samplesDroppedLate,
      duration: health.samplesDroppedDuration,
      backlog: this.#buffer.droppedBacklog,
    };
    const shipped = this.#shippedDrops;
    this.#shippedDrops = now;
    const dropped = {
      // A registry rebuilt by a reload restarts its counts: never ship a negative increase.
      invalid: Math.max(0, now.invalid - shipped.invalid),
      late: Math.max(0, now.late - shipped.late),
      duration: Math.max(0, now.duration - shipped.duration),
      backlog: now.backlog - shipped.backlog,
    };
    const window = { version: WINDOW_STATE_VERSION, windowMs: lengthMs, resolutionMs, relativeAccuracy };
    let message: DeltaMessage = { protocol: CLUSTER_PROTOCOL, type: 'delta', window, series, dropped };
    if (load !== undefined) message = { ...message, load };
    if (!withAdmission) return message;
    const { admission, fallbacks } = this.#admission.take();
    if (admission.length > 0) message = { ...message, admission };
    return fallbacks > 0 ? { ...message, admissionFallbacks: fallbacks } : message;
  }

  #follow(message: Record<string, unknown>): void {
    const services = Array.isArray(message.services) ? message.services.filter(isState) : [];
    for (const state of services) this.#agent.degradation(state.service, state.namespace).follow(state);
    if (Array.isArray(message.modifiers)) {
      const wanted = new Set(message.modifiers.filter((name) => typeof name === 'string'));
      const modifiers = this.#agent.modifiers;
      for (const name of modifiers.active()) if (!wanted.has(name)) modifiers.clear(name);
      for (const name of wanted) modifiers.set(name);
    }
    if (isFiniteNumber(message.loadFactor) && message.loadFactor > 0)
      this.#followed.factor = message.loadFactor;
    this.#admission.follow(followedAdmissionsOf(message.admission), this.#clock.now());
    this.#answered = true;
  }
}

function isState(value: unknown): value is DegradationState {
  return (
    isRecord(value) &&
    typeof value.service === 'string' &&
    typeof value.namespace === 'string' &&
    isDegradationLevel(value.level) &&
    typeof value.overridden === 'boolean' &&
    isFiniteNumber(value.since) &&
    Array.isArray(value.disabledFeatures) &&
    value.disabledFeatures.every((name) => typeof name === 'string') &&
    (value.lastDecision === undefined ||
      (isRecord(value.lastDecision) && isFiniteNumber(value.lastDecision.seq)))
  );
}
