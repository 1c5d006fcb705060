/**
 * The class of the work running now, kept in the OpenTelemetry context: a class Headroom has
 * settled (by code, or by the HTTP middleware after the precedence and trust rules) under a context
 * key of its own, and always also in W3C baggage (`headroom.criticality`), so the propagator puts
 * it on every outbound call and the next service sees it. Headroom's propagator
 * (criticality-propagator.ts) injects the judged class ({@link judgedBaggage}), never an incoming
 * claim this service did not vet.
 */
import { type Context, createContextKey, diag, propagation } from '@opentelemetry/api';
import {
  CRITICALITY_BAGGAGE_KEY,
  type Criticality,
  DEFAULT_CRITICALITY,
  isCriticality,
  truncate,
} from '../../agent/index.ts';
import { describeArgument } from './describe-argument.ts';
import { resolveCriticality } from './precedence.ts';

/** The settled class; baggage alone is only a claim, judged by the precedence rule. */
const SETTLED = createContextKey('Headroom: the settled criticality');

/** `active` with `criticality` settled, and in its baggage (other baggage entries kept). */
export function withSettledCriticality(active: Context, criticality: Criticality): Context {
  const baggage = (propagation.getBaggage(active) ?? propagation.createBaggage()).setEntry(
    CRITICALITY_BAGGAGE_KEY,
    { value: criticality },
  );
  return propagation.setBaggage(active.setValue(SETTLED, criticality), baggage);
}

/** The class settled in `active` by code or the middleware; `undefined` when none was. */
function settledCriticality(active: Context): Criticality | undefined {
  return active.getValue(SETTLED) as Criticality | undefined;
}

/** The `headroom.criticality` baggage value in `active`, as received (not checked). */
function baggageCriticality(active: Context): string | undefined {
  return propagation.getBaggage(active)?.getEntry(CRITICALITY_BAGGAGE_KEY)?.value;
}

/**
 * The class of work in `active` with no class of its own: the settled one, else the baggage's,
 * which (its sender unknown here) may only lower the default; else CRITICAL.
 */
export function activeCriticality(active: Context): Criticality {
  const settled = settledCriticality(active);
  if (settled !== undefined) return settled;
  const baggage = baggageCriticality(active);
  if (baggage === undefined) return DEFAULT_CRITICALITY;
  const resolved = resolveCriticality({ baggage });
  if (resolved.invalidBaggage !== undefined) reportInvalidBaggage(resolved.invalidBaggage);
  return resolved.criticality;
}

/**
 * `active` as it may be told to the next service: its `headroom.criticality` baggage entry is the
 * class this service judges the work in ({@link activeCriticality}: the settled class, else an
 * incoming claim lowered to at most CRITICAL, CRITICAL for a value that is no class), never a raw
 * claim it did not vet. `active` itself when it has neither a settled class nor an entry.
 */
export function judgedBaggage(active: Context): Context {
  const received = propagation.getBaggage(active);
  const claim = received?.getEntry(CRITICALITY_BAGGAGE_KEY)?.value;
  if (settledCriticality(active) === undefined && claim === undefined) return active;
  const judged = activeCriticality(active);
  if (claim === judged) return active;
  const baggage = (received ?? propagation.createBaggage()).setEntry(CRITICALITY_BAGGAGE_KEY, {
    value: judged,
  });
  return propagation.setBaggage(active, baggage);
}

/**
 * The class to put on an operation span (`headroom.criticality`) started in `active`: the settled
 * one; else the baggage's when it lowers the operation's YAML class (`yaml`, CRITICAL when none);
 * else `undefined`: the span is judged in its series' YAML class.
 */
export function operationCriticality(
  active: Context,
  yaml: Criticality | undefined,
): Criticality | undefined {
  const settled = settledCriticality(active);
  if (settled !== undefined) return settled;
  const baggage = baggageCriticality(active);
  if (baggage === undefined) return undefined;
  const resolved = resolveCriticality({ yaml: yaml ?? DEFAULT_CRITICALITY, baggage });
  if (resolved.invalidBaggage !== undefined) reportInvalidBaggage(resolved.invalidBaggage);
  return resolved.source === 'baggage' ? resolved.criticality : undefined;
}

let invalidBaggageCount = 0;
let invalidClassReported = false;

/**
 * Counts a baggage value that was ignored, and says the first one once per process (a peer's
 * typo must not flood the log; the count, exported as
 * `headroom_criticality_invalid_total{source="baggage"}`, says how often).
 */
export function reportInvalidBaggage(value: string): void {
  if (invalidBaggageCount++ > 0) return;
  diag.warn(
    `headroom: ignored the baggage ${CRITICALITY_BAGGAGE_KEY}=${JSON.stringify(truncate(value, 64))}: not one of CRITICAL_PLUS, CRITICAL, SHEDDABLE_PLUS, SHEDDABLE (exact spelling); said once`,
  );
}

/**
 * The `headroom.criticality` baggage values this process ignored as no class, since it started:
 * each time one was read (a request through the HTTP middleware, an operation or outbound call in
 * a context carrying it).
 */
export function invalidBaggageCriticalities(): number {
  return invalidBaggageCount;
}

/**
 * The class code passed, when it is one; else (said once per process, the value described
 * without calling into it: {@link describeArgument}) `undefined`: the caller falls back to the
 * active class. Code typed against the API cannot pass anything else. Never throws.
 */
export function codeCriticality(caller: string, value: unknown): Criticality | undefined {
  if (value === undefined || isCriticality(value)) return value;
  if (!invalidClassReported) {
    invalidClassReported = true;
    warnSafely(
      `headroom: ${caller} got ${describeArgument(value)}, not one of CRITICAL_PLUS, CRITICAL, SHEDDABLE_PLUS, SHEDDABLE; it runs in the active class (CRITICAL when none); said once`,
    );
  }
  return undefined;
}

/** `diag.warn(message)`; a diag logger that throws is not the host's problem. */
function warnSafely(message: string): void {
  try {
    diag.warn(message);
  } catch {
    // The message is lost; the caller's work goes on in the active class.
  }
}
