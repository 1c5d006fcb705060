/**
 * Alert evaluation: each tick, every rule reports its instances (observations); each instance's
 * lifecycle (firing once, severity changes, resolution, cooldown, escalation) turns them into
 * `AlertEvent`s for the listeners. Instances a rule no longer reports (no data, a removed rule)
 * resolve.
 */
import { channel } from 'node:diagnostics_channel';
import { diag } from '@opentelemetry/api';
import type { ResolvedConfig } from '../../config/index.ts';
import type { Clock } from '../clock.ts';
import { entriesOf, type RestoreResult } from '../durable-state.ts';
import { ALERT_EVENT_CHANNEL } from '../semconv.ts';
import { NAMESPACE_LABEL, type ServiceId, serviceLabels } from '../service-id.ts';
import type { SloTracker } from '../slo/index.ts';
import { AlertInstance, instanceKey } from './alert-instance.ts';
import { ALERT_STATE_VERSION, type AlertEvaluatorState, isInstanceState } from './alert-instance-state.ts';
import { observeBurnRate } from './burn-rate-rule.ts';
import { observeDegradation } from './degradation-rule.ts';
import { observeErrorRate } from './error-rate-rule.ts';
import { headroomUrl } from './headroom-url.ts';
import { canonicalLabels } from './labels.ts';
import type { AlertRule, Observation } from './observation.ts';
import { observePercentile } from './percentile-rule.ts';
import { SnapshotCache } from './snapshot-cache.ts';
import type { AlertEvent, AlertListener, AlertTick } from './types.ts';

const alertChannel = channel(ALERT_EVENT_CHANNEL);

export interface AlertEvaluatorOptions {
  /** Rules, SLOs and minimum sample counts come from it. */
  readonly config: ResolvedConfig;
  /** Burn rates of `burnRate` rules; fed by its owner before each evaluation. */
  readonly slos: SloTracker;
  /** Read when a tick carries no time. */
  readonly clock: Clock;
}

/**
 * Evaluates `alerting.rules` and publishes alert lifecycle events.
 * @example
 * const alerts = new AlertEvaluator({ config, slos, clock });
 * alerts.onAlert((event) => channels.deliver(event));
 * alerts.evaluate({ at, verdicts, series: agent.registry.list(), levels });
 */
export class AlertEvaluator {
  readonly #slos: SloTracker;
  readonly #clock: Clock;
  #config: ResolvedConfig;
  readonly #instances = new Map<string, AlertInstance>();
  readonly #listeners = new Set<AlertListener>();

  constructor(options: AlertEvaluatorOptions) {
    this.#config = options.config;
    this.#slos = options.slos;
    this.#clock = options.clock;
  }

  /** Applies new rules; instances of removed rules resolve at the next evaluation. */
  reconfigure(config: ResolvedConfig): void {
    this.#config = config;
  }

  /** Listens to every alert event; returns the unsubscribe function. A listener that throws is logged. */
  onAlert(listener: AlertListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The alerts firing now, with their latest numbers (for channels that re-send, like Alertmanager's). */
  firing(): AlertEvent[] {
    const all: AlertEvent[] = [];
    for (const instance of this.#instances.values()) if (instance.firing) all.push(instance.firing);
    return all;
  }

  /** Whether an alert about `service` (its `service` label) is firing. */
  firingFor(id: ServiceId): boolean {
    for (const instance of this.#instances.values()) {
      const labels = instance.firing?.labels;
      if (labels?.service === id.service && (labels[NAMESPACE_LABEL] ?? '') === id.namespace) return true;
    }
    return false;
  }

  /**
   * The state to restore after a restart, as JSON-able plain data: every instance firing (with
   * its `startsAt`) or cooling down.
   */
  exportState(): AlertEvaluatorState {
    return {
      version: ALERT_STATE_VERSION,
      entries: [...this.#instances.values()].map((one) => one.export()),
    };
  }

  /**
   * Takes back what {@link exportState} returned (call before the first evaluation): a firing
   * alert stays firing with its `startsAt` (no second firing event) and resolves when its
   * condition clears; a cooldown goes on. An instance takes the configured rule of its name (of
   * the same kind), else its exported rule, so that it still resolves. Never throws: malformed
   * entries, and every entry of another version, are dropped and counted.
   */
  restoreState(state: unknown): RestoreResult {
    const entries = entriesOf(state, ALERT_STATE_VERSION);
    if (entries === undefined) return { restored: 0, dropped: 1 };
    let restored = 0;
    for (const entry of entries) {
      if (!isInstanceState(entry)) continue;
      const configured = this.#config.alerting.rules.find((rule) => rule.name === entry.rule.name);
      const rule = configured?.kind === entry.rule.kind ? configured : entry.rule;
      const instance = new AlertInstance(entry.key, rule);
      instance.restore(entry);
      this.#instances.set(entry.key, instance);
      restored++;
    }
    return { restored, dropped: entries.length - restored };
  }

  /** Forgets the instances of `service` that are not firing (cooldowns): the service was evicted. */
  forgetService(id: ServiceId): void {
    for (const [key, instance] of this.#instances) {
      if (instance.firing === undefined && keyNames(key, id)) this.#instances.delete(key);
    }
  }

  /** Evaluates every rule at the tick's time; returns the events published. Never throws. */
  evaluate(tick: AlertTick): AlertEvent[] {
    const atMs = tick.at ?? this.#clock.now();
    const events: AlertEvent[] = [];
    try {
      const seen = new Set<string>();
      const snapshots = new SnapshotCache(atMs);
      for (const rule of this.#config.alerting.rules)
        this.#evaluateRule(rule, tick, atMs, snapshots, seen, events);
      this.#sweep(atMs, seen, events);
    } catch (error) {
      diag.error('headroom: alert evaluation failed', error);
    }
    this.#publish(events);
    return events;
  }

  #evaluateRule(
    rule: AlertRule,
    tick: AlertTick,
    atMs: number,
    snapshots: SnapshotCache,
    seen: Set<string>,
    events: AlertEvent[],
  ): void {
    let observations: Observation[];
    try {
      observations = this.#observe(rule, tick, snapshots);
    } catch (error) {
      // Held, not resolved: a failing rule says nothing about its conditions.
      diag.error(`headroom: alert rule "${rule.name}" failed; its alerts are held`, error);
      for (const instance of this.#instances.values())
        if (instance.rule.name === rule.name) seen.add(instance.key);
      return;
    }
    for (const observation of observations) this.#apply(rule, observation, atMs, seen, events);
  }

  #observe(rule: AlertRule, tick: AlertTick, snapshots: SnapshotCache): Observation[] {
    switch (rule.kind) {
      case 'percentile':
        return observePercentile(rule, tick, snapshots, this.#minSamples(rule.context));
      case 'errorRate':
        return observeErrorRate(rule, tick, snapshots, this.#minSamples(rule.context));
      case 'burnRate':
        return observeBurnRate(rule, this.#slos, this.#config.slos);
      case 'degradation':
        return observeDegradation(rule, tick);
    }
  }

  #apply(
    rule: AlertRule,
    observation: Observation,
    atMs: number,
    seen: Set<string>,
    events: AlertEvent[],
  ): void {
    const key = instanceKey(rule, observation.labels);
    let instance = this.#instances.get(key);
    // Instances exist only while firing or cooling down: most series never alert.
    if (instance === undefined && observation.severity === undefined) return;
    if (instance === undefined) {
      instance = new AlertInstance(key, rule);
      this.#instances.set(key, instance);
    }
    instance.rule = rule;
    seen.add(key);
    const url = headroomUrl(this.#config.ui.externalUrl, observation.labels);
    events.push(
      ...instance.update(url === undefined ? observation : { ...observation, headroomUrl: url }, atMs),
    );
  }

  /** Resolves instances not seen this time and forgets those idle. */
  #sweep(atMs: number, seen: ReadonlySet<string>, events: AlertEvent[]): void {
    for (const [key, instance] of this.#instances) {
      if (!seen.has(key)) events.push(...instance.update(undefined, atMs));
      if (instance.isIdle(atMs)) this.#instances.delete(key);
    }
  }

  #minSamples(context: string | undefined): number {
    const configured = context === undefined ? undefined : this.#config.contexts[context]?.minSamples;
    return configured ?? this.#config.evaluation.minSamples;
  }

  #publish(events: readonly AlertEvent[]): void {
    for (const event of events) {
      if (alertChannel.hasSubscribers) alertChannel.publish(event);
      for (const listener of this.#listeners) {
        try {
          listener(event);
        } catch (error) {
          diag.error('headroom: an alert listener threw', error);
        }
      }
    }
  }
}

/**
 * Whether an instance key (canonical labels, sorted: `service` then `service_namespace`) names the
 * service `id`: its labels hold `service` and, exactly when `id` has one, its `service_namespace`.
 */
function keyNames(key: string, id: ServiceId): boolean {
  const fragment = canonicalLabels(serviceLabels(id)).slice(1, -1);
  for (let at = key.indexOf(fragment); at !== -1; at = key.indexOf(fragment, at + 1)) {
    const before = key[at - 1];
    const after = key.slice(at + fragment.length);
    const ends =
      after.startsWith('}') || (after.startsWith(',') && !after.startsWith(`,${NAMESPACE_LABEL}=`));
    if ((before === '{' || before === ',') && ends) return true;
  }
  return false;
}
