/**
 * The last known admission of one service (collector mode), from the decision stream's
 * `admission-state` events, and `admit()` deciding locally with the collector's probabilities.
 * Events arrive as JSON text and are checked before use: anything malformed is reported and
 * ignored. A state is dropped when another agent instance speaks (what a previous agent said no
 * longer holds). Without a usable state (none yet, the stream down) every request is admitted:
 * a service sheds only on the word of an agent it currently hears.
 */
import { diag } from '@opentelemetry/api';
import {
  ADMISSION_REJECTED,
  type AdmissionDecision,
  type AdmissionResult,
  CRITICALITIES,
  type Criticality,
  DEFAULT_CRITICALITY,
  formatService,
  isCriticality,
  type ServiceId,
} from '../../agent/index.ts';
import { formatMs } from '../../config/index.ts';
import type { RemoteAdmissionState } from './types.ts';

/** A class's numbers the client acts on. */
interface ClassNumbers {
  readonly probability: number;
  readonly minProbability: number;
}

interface HeldState extends RemoteAdmissionState {
  readonly classes: Readonly<Record<Criticality, ClassNumbers>>;
  readonly instanceId: string;
}

/** One service's last known rejection probabilities. */
export class RemoteAdmission {
  readonly #id: ServiceId;
  readonly #random: () => number;
  #state: HeldState | undefined;
  readonly #requests = Object.fromEntries(
    CRITICALITIES.map((c) => [c, { admitted: 0, rejected: 0 }]),
  ) as Record<Criticality, { admitted: number; rejected: number }>;

  constructor(id: ServiceId, random: () => number) {
    this.#id = id;
    this.#random = random;
  }

  /** The requests `admit()` decided since start, per class (a copy). */
  get requests(): Readonly<Record<Criticality, { readonly admitted: number; readonly rejected: number }>> {
    return Object.fromEntries(CRITICALITIES.map((c) => [c, { ...this.#requests[c] }])) as Record<
      Criticality,
      { admitted: number; rejected: number }
    >;
  }

  /** The probabilities held now; `undefined` before the first `admission-state` (or after a restart). */
  get state(): RemoteAdmissionState | undefined {
    const state = this.#state;
    if (state === undefined) return undefined;
    const { enabled, probabilities, retryAfterMs } = state;
    return { enabled, probabilities, retryAfterMs };
  }

  /** The agent instance speaking now (`agent` or `state` events): another one drops the state. */
  noteInstance(instanceId: string | undefined): void {
    if (instanceId !== undefined && this.#state !== undefined && this.#state.instanceId !== instanceId)
      this.#state = undefined;
  }

  /** Applies an `admission-state` event's data; returns whether it was this service's valid state. */
  applyState(data: string): boolean {
    const value = parse(data);
    const state = isRecord(value) ? heldState(value) : undefined;
    if (state === undefined) return this.#reject('admission-state');
    if (!this.#mine(value as Record<string, unknown>)) return false;
    this.#state = state;
    return true;
  }

  /** Reads an `admission-decision` event's data; the decision when it is this service's and valid. */
  decisionOf(data: string): AdmissionDecision | undefined {
    const value = parse(data);
    if (!isRecord(value) || typeof value.seq !== 'number' || !isCriticality(value.criticality)) {
      this.#reject('admission-decision');
      return undefined;
    }
    return typeof value.service === 'string' && this.#mine(value)
      ? (value as unknown as AdmissionDecision)
      : undefined;
  }

  /**
   * Decides one request of `criticality` (an unknown value counts as CRITICAL) with the held
   * probabilities when `usable`, else admits it. Never throws.
   */
  admit(criticality: unknown, usable: boolean): AdmissionResult {
    const result = this.#decide(criticality, usable);
    this.#requests[result.criticality][result.admitted ? 'admitted' : 'rejected']++;
    return result;
  }

  /**
   * A draw from the user's `random`, kept from throwing into the host (read15 L6, as the agent's
   * own admit() does): a throw admits the request (1 is never under a probability), reported.
   */
  #draw(): number {
    try {
      return this.#random();
    } catch (error) {
      diag.error('headroom: the admission random source threw; the request is admitted', error);
      return 1;
    }
  }

  #decide(criticality: unknown, usable: boolean): AdmissionResult {
    const judged = isCriticality(criticality) ? criticality : DEFAULT_CRITICALITY;
    const state = this.#state;
    // CRITICAL_PLUS is never rejected, whatever a stream says (a collector of another version, a proxy).
    if (!usable || state === undefined || !state.enabled || judged === 'CRITICAL_PLUS')
      return { admitted: true, criticality: judged };
    const { probability, minProbability } = state.classes[judged];
    if (!(probability > 0 && this.#draw() < probability)) return { admitted: true, criticality: judged };
    // As the agent's own admit(): the level's floor when the probability is the floor, else overload.
    const reason = minProbability > 0 && probability <= minProbability ? 'degradation-level' : 'overload';
    const percent = `${Number((probability * 100).toFixed(1))}%`;
    const { retryAfterMs } = state;
    return {
      admitted: false,
      criticality: judged,
      code: ADMISSION_REJECTED,
      reason,
      probability,
      retryAfterMs,
      message: `${judged} request rejected: the collector sheds ${percent} of ${judged} requests of ${formatService(this.#id)} (${reason}); retry after ${formatMs(retryAfterMs)}`,
    };
  }

  #mine(value: Record<string, unknown>): boolean {
    const { namespace, service } = value;
    return service === this.#id.service && (namespace === undefined || namespace === this.#id.namespace);
  }

  #reject(what: string): false {
    diag.warn(
      `headroom: ignored a malformed ${what} event from the decision stream of ${formatService(this.#id)}`,
    );
    return false;
  }
}

/** The state an `admission-state` event describes, or `undefined` when anything is off. */
function heldState(value: Record<string, unknown>): HeldState | undefined {
  const { service, namespace, enabled, retryAfterMs, instanceId, classes } = value;
  if (typeof service !== 'string' || (namespace !== undefined && typeof namespace !== 'string'))
    return undefined;
  if (typeof enabled !== 'boolean' || typeof instanceId !== 'string' || !isRecord(classes)) return undefined;
  if (!(typeof retryAfterMs === 'number' && retryAfterMs >= 0 && Number.isFinite(retryAfterMs)))
    return undefined;
  const numbers: Partial<Record<Criticality, ClassNumbers>> = {};
  for (const criticality of CRITICALITIES) {
    const entry = classes[criticality];
    if (!isRecord(entry) || !isProbability(entry.probability) || !isProbability(entry.minProbability))
      return undefined;
    numbers[criticality] = { probability: entry.probability, minProbability: entry.minProbability };
  }
  const all = numbers as Record<Criticality, ClassNumbers>;
  const probabilities = Object.freeze(
    Object.fromEntries(CRITICALITIES.map((c) => [c, all[c].probability])) as Record<Criticality, number>,
  );
  return { enabled, retryAfterMs, instanceId, classes: all, probabilities };
}

function isProbability(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= 1;
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
