/**
 * The agent's admission controllers, one per service (created on first use, dropped with the
 * service's degradation manager), ticked after the degradation managers with each service's level.
 * Listeners subscribed here hear every controller's decisions, present and future.
 */
import { diag } from '@opentelemetry/api';
import type { Clock } from '../clock.ts';
import type { DegradationLevel } from '../degradation/levels.ts';
import { type ServiceId, serviceKey } from '../service-id.ts';
import { AdmissionController } from './admission-controller.ts';
import type { AdmissionSampleTap } from './admission-gate.ts';
import type { AdmissionConfig } from './admission-law.ts';
import { type AdmissionSnapshot, parseAdmissionSnapshot } from './admission-snapshot.ts';
import type { AdmissionDecision, AdmissionListener } from './types.ts';

/** What every controller is built with. */
export interface AdmissionRegistryOptions {
  readonly config: AdmissionConfig;
  readonly clock: Clock;
  /** Uniform draws in [0, 1) @default Math.random */
  readonly random?: () => number;
  /** Decisions each controller's audit log keeps (`api.historySize`). */
  readonly auditLogSize: number;
}

/** One controller per service, by {@link serviceKey}. */
export class AdmissionRegistry {
  readonly #controllers = new Map<string, AdmissionController>();
  readonly #listeners = new Set<AdmissionListener>();
  #options: AdmissionRegistryOptions;
  #tap: AdmissionSampleTap | undefined;

  constructor(options: AdmissionRegistryOptions) {
    this.#options = options;
  }

  /** The controller of `id`, created on first use. */
  get(id: ServiceId): AdmissionController {
    const key = serviceKey(id);
    let controller = this.#controllers.get(key);
    if (controller === undefined) {
      const { config, clock, random, auditLogSize } = this.#options;
      controller = new AdmissionController({ config, clock, random, auditLogSize, ...id });
      controller.subscribe((decision) => this.#fanOut(decision));
      controller.sampleTap = this.#tap;
      this.#controllers.set(key, controller);
    }
    return controller;
  }

  /** Sets (or removes) the tap of every controller, present and future (a cluster worker's). */
  tap(tap: AdmissionSampleTap | undefined): void {
    this.#tap = tap;
    for (const controller of this.#controllers.values()) controller.sampleTap = tap;
  }

  /** The controller of `id` when there is one (none is created). */
  find(id: ServiceId): AdmissionController | undefined {
    return this.#controllers.get(serviceKey(id));
  }

  /** Listens to every controller's decisions; returns the unsubscribe function. */
  subscribe(listener: AdmissionListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** One tick of every controller with its service's level; the decisions taken, in service order. */
  observe(levelOf: (id: ServiceId) => DegradationLevel): AdmissionDecision[] {
    const decisions: AdmissionDecision[] = [];
    for (const controller of this.#controllers.values())
      decisions.push(...controller.observe(levelOf(controller.id)));
    return decisions;
  }

  /** Each controller's state as plain data, by {@link serviceKey}, for a checkpoint. */
  snapshots(): Map<string, AdmissionSnapshot> {
    const snapshots = new Map<string, AdmissionSnapshot>();
    for (const [key, controller] of this.#controllers) snapshots.set(key, controller.snapshot());
    return snapshots;
  }

  /**
   * Restores states from a checkpoint into the controllers `controllerOf` gives (created with their
   * service). A value that is not a snapshot this version reads is dropped and reported through
   * `diag`, never thrown.
   */
  restore(
    values: readonly unknown[],
    controllerOf: (id: ServiceId) => AdmissionController,
  ): { restored: number; dropped: number } {
    let restored = 0;
    for (const value of values) {
      const snapshot = parseAdmissionSnapshot(value);
      if (typeof snapshot === 'string') {
        diag.warn(`headroom: a stored admission state was dropped: ${snapshot}`);
        continue;
      }
      controllerOf(snapshot).restore(snapshot);
      restored++;
    }
    return { restored, dropped: values.length - restored };
  }

  /** Forgets the controller of the service keyed `key` (its degradation manager was evicted). */
  evict(key: string): void {
    this.#controllers.delete(key);
  }

  /** Applies a reloaded config to every controller and to those created later. */
  reconfigure(config: AdmissionConfig, auditLogSize: number): void {
    this.#options = { ...this.#options, config, auditLogSize };
    for (const controller of this.#controllers.values()) controller.reconfigure(config);
  }

  /**
   * A service activity source for the agent's idle sweep: a service still shedding (pressure above
   * 0) is active now, so its controller is not dropped while it rejects requests.
   */
  readonly activity = (id: ServiceId, nowMs: number): number =>
    (this.find(id)?.pressure ?? 0) > 0 ? nowMs : Number.NEGATIVE_INFINITY;

  #fanOut(decision: AdmissionDecision): void {
    for (const listener of this.#listeners) {
      try {
        listener(decision);
      } catch (error) {
        diag.error('headroom: an admission decision listener threw', error);
      }
    }
  }
}
