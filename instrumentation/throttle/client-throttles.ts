/**
 * One {@link ClientThrottle} per target, created on first use, at most `maxTargets` of them
 * (memory and metric labels stay bounded, as every other dimension of Headroom's does): calls to
 * targets beyond share the throttle of target `__overflow__`, which counts them and never throttles.
 */
import { diag } from '@opentelemetry/api';
import type { Clock } from '../../agent/index.ts';
import { InvalidArgumentError } from '../../errors.ts';
import { ClientThrottle } from './client-throttle.ts';
import type { ClientThrottleStats, Throttle, ThrottleOptions } from './types.ts';

/** Target of the throttle calls beyond `maxTargets` share. */
const OVERFLOW_TARGET = '__overflow__';

/** `admission.clientThrottle` as resolved. */
interface ClientThrottleConfig {
  readonly enabled: boolean;
  readonly k: number;
  readonly windowMs: number;
  readonly maxTargets: number;
}

/** What {@link ClientThrottles} runs on. */
export interface ClientThrottlesOptions {
  readonly config: ClientThrottleConfig;
  readonly clock: Clock;
  /** Uniform in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Longest target name, characters (`limits.nameLength`). */
  readonly maxNameLength: number;
}

/** The throttles of one embedded Headroom, by target. */
export class ClientThrottles {
  readonly #options: ClientThrottlesOptions;
  readonly #throttles = new Map<string, ClientThrottle>();
  #overflow: ClientThrottle | undefined;

  constructor(options: ClientThrottlesOptions) {
    this.#options = options;
  }

  /**
   * The throttle of `target`: created by the first call with its options, the same one after.
   * @throws {InvalidArgumentError} `HEADROOM_ERR_API_INVALID_ARGUMENT` when `target` is not a
   * non-empty string of at most `limits.nameLength` characters or is `__overflow__`, when `k` is
   * not a finite number of at least 1, or when `k` differs from the target's existing throttle's
   */
  get(target: string, options: ThrottleOptions = {}): Throttle {
    this.#checkTarget(target);
    const k = this.#checkK(options.k);
    const existing = this.#throttles.get(target);
    if (existing !== undefined) {
      if (options.k !== undefined && existing.k !== k)
        throw new InvalidArgumentError(
          'k',
          `headroom.throttle: target ${JSON.stringify(target)} already throttles with k = ${existing.k}, asked for k = ${k}`,
        );
      return existing;
    }
    const { config } = this.#options;
    if (this.#throttles.size >= config.maxTargets) return this.#overflowThrottle(target);
    const throttle = this.#create(target, k, config.enabled);
    this.#throttles.set(target, throttle);
    return throttle;
  }

  /** Counts of every (target, class) with calls, the overflow target last. */
  stats(): ClientThrottleStats[] {
    const all = [...this.#throttles.values()];
    if (this.#overflow !== undefined) all.push(this.#overflow);
    return all.flatMap((throttle) => throttle.stats());
  }

  #overflowThrottle(target: string): ClientThrottle {
    if (this.#overflow === undefined) {
      const { maxTargets, k } = this.#options.config;
      diag.warn(
        `headroom: admission.clientThrottle.maxTargets (${maxTargets}) reached; calls to ${JSON.stringify(target)} and any further new target are counted under target "${OVERFLOW_TARGET}" and never throttled`,
      );
      this.#overflow = this.#create(OVERFLOW_TARGET, k, false);
    }
    return this.#overflow;
  }

  #create(target: string, k: number, enabled: boolean): ClientThrottle {
    const { clock, random = Math.random, config } = this.#options;
    return new ClientThrottle({ target, k, windowMs: config.windowMs, enabled, clock, random });
  }

  #checkTarget(target: unknown): void {
    const max = this.#options.maxNameLength;
    if (typeof target === 'string' && target !== '' && target.length <= max && target !== OVERFLOW_TARGET)
      return;
    throw new InvalidArgumentError(
      'target',
      `headroom.throttle: target must be a non-empty string of at most ${max} characters (limits.nameLength), not "${OVERFLOW_TARGET}"; got ${describe(target)}`,
    );
  }

  #checkK(k: unknown): number {
    if (k === undefined) return this.#options.config.k;
    if (typeof k === 'number' && Number.isFinite(k) && k >= 1) return k;
    throw new InvalidArgumentError(
      'k',
      `headroom.throttle: k must be a finite number of at least 1, got ${describe(k)}`,
    );
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string')
    return value.length > 80 ? `a string of ${value.length} characters` : JSON.stringify(value);
  return typeof value === 'number' ? String(value) : typeof value;
}
