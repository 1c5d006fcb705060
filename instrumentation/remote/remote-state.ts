/**
 * The last known degradation of one service, as the decision stream describes it. Updates arrive
 * as JSON text and are checked before use; anything malformed is reported and ignored, so the
 * state only ever moves to another valid state. Starts at NONE with every feature on, and goes
 * back there when another agent instance speaks: what a previous agent said no longer holds.
 */
import { diag } from '@opentelemetry/api';
import {
  type DegradationDecision,
  type DegradationLevel,
  type FeatureFlags,
  formatService,
  isDegradationLevel,
  type ServiceId,
} from '../../agent/index.ts';

/** The fields of a `state` event or a decision that the service acts on. */
interface Applicable {
  /** `undefined` from an agent that predates namespaces in events. */
  readonly namespace: string | undefined;
  readonly service: string;
  readonly level: DegradationLevel;
  readonly disabledFeatures: readonly string[];
}

/** One service's last known level and feature switches. */
export class RemoteState {
  readonly #id: ServiceId;
  readonly #now: () => number;
  #level: DegradationLevel = 'NONE';
  #disabledList: readonly string[] = Object.freeze([]);
  #disabledSet: ReadonlySet<string> = new Set();
  #lastUpdateMs: number | undefined;
  #instanceId: string | undefined;
  /** O(1) feature switches reflecting the last known level. */
  readonly features: FeatureFlags;

  constructor(id: ServiceId, now: () => number) {
    this.#id = id;
    this.#now = now;
    this.features = Object.freeze({
      enabled: (name: string) => !this.#disabledSet.has(name),
      disabled: () => this.#disabledList,
    });
  }

  get level(): DegradationLevel {
    return this.#level;
  }

  /** When the last state or decision was applied, ms since the epoch; `undefined` before the first. */
  get lastUpdateMs(): number | undefined {
    return this.#lastUpdateMs;
  }

  /** The agent instance that spoke last (`agent` and `state` events); `undefined` before (or from an old agent). */
  get instanceId(): string | undefined {
    return this.#instanceId;
  }

  /** Applies an `agent` event's data: a new instance id resets the state to NONE. */
  applyAgent(data: string): void {
    const value = parse(data);
    if (isRecord(value) && typeof value.instanceId === 'string') this.#noteInstance(value.instanceId);
    else this.#reject('agent');
  }

  /** Applies a `state` event's data; returns whether it was this service's valid state. */
  applyState(data: string): boolean {
    const value = parse(data);
    if (!isRecord(value)) return this.#apply(undefined, 'state');
    const state = applicable(value, value.level, value.disabledFeatures);
    if (state !== undefined && typeof value.instanceId === 'string' && this.#mine(state))
      this.#noteInstance(value.instanceId);
    return this.#apply(state, 'state');
  }

  /** Applies a `decision` event's data; returns the decision when it was this service's and valid. */
  applyDecision(data: string): DegradationDecision | undefined {
    const value = parse(data);
    if (!isRecord(value) || typeof value.seq !== 'number') return this.#reject('decision');
    const decision = applicable(value, value.to, value.disabledFeatures);
    return this.#apply(decision, 'decision') ? (value as unknown as DegradationDecision) : undefined;
  }

  #apply(update: Applicable | undefined, what: string): boolean {
    if (update === undefined) return this.#reject(what) ?? false;
    if (!this.#mine(update)) return false;
    this.#set(update.level, update.disabledFeatures);
    this.#lastUpdateMs = this.#now();
    return true;
  }

  #mine(update: Applicable): boolean {
    return (
      update.service === this.#id.service &&
      (update.namespace === undefined || update.namespace === this.#id.namespace)
    );
  }

  #noteInstance(instanceId: string): void {
    if (this.#instanceId !== undefined && this.#instanceId !== instanceId) {
      diag.info(
        `headroom: the decision agent of ${formatService(this.#id)} restarted (instance ${instanceId}); level ${this.#level} dropped to NONE until it says otherwise`,
      );
      this.#set('NONE', []);
    }
    this.#instanceId = instanceId;
  }

  #set(level: DegradationLevel, disabledFeatures: readonly string[]): void {
    this.#level = level;
    this.#disabledList = Object.freeze([...disabledFeatures]);
    this.#disabledSet = new Set(disabledFeatures);
  }

  #reject(what: string): undefined {
    diag.warn(
      `headroom: ignored a malformed ${what} event from the decision stream of ${formatService(this.#id)}`,
    );
    return undefined;
  }
}

function applicable(
  value: Record<string, unknown>,
  level: unknown,
  disabled: unknown,
): Applicable | undefined {
  const { namespace, service } = value;
  if (typeof service !== 'string' || !isDegradationLevel(level)) return undefined;
  if (namespace !== undefined && typeof namespace !== 'string') return undefined;
  if (!Array.isArray(disabled) || !disabled.every((name) => typeof name === 'string')) return undefined;
  return { namespace, service, level, disabledFeatures: disabled };
}

function parse(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
