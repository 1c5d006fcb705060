/**
 * The last known degradation of one service, as the decision stream describes it. Updates arrive
 * as JSON text and are checked before use; anything malformed is reported and ignored, so the
 * state only ever moves to another valid state. Starts at NONE with every feature on.
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

  /** Applies a `state` event's data; returns whether it was this service's valid state. */
  applyState(data: string): boolean {
    const value = parse(data);
    const state = isRecord(value) ? applicable(value, value.level, value.disabledFeatures) : undefined;
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
    if (update.service !== this.#id.service) return false;
    if (update.namespace !== undefined && update.namespace !== this.#id.namespace) return false;
    this.#level = update.level;
    this.#disabledList = Object.freeze([...update.disabledFeatures]);
    this.#disabledSet = new Set(update.disabledFeatures);
    this.#lastUpdateMs = this.#now();
    return true;
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
