/**
 * attempt()/record() are for callbacks, and a callback often runs outside the attempt's context
 * (a pooled socket's events, a queue's ack, an emitter fired elsewhere): the decision's own
 * record() counts the outcome in the attempt's class, whatever context it runs in.
 */
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import type { Criticality } from '../../../agent/index.ts';
import type { EmbeddedHeadroom, Throttle } from '../../../instrumentation/index.ts';
import { testHeadroom } from '../../helpers/headroom.ts';

let running: EmbeddedHeadroom | undefined;

afterEach(async () => {
  await running?.shutdown();
  running = undefined;
});

function setup(): { headroom: EmbeddedHeadroom; payments: Throttle } {
  // random 0: every call with a probability above 0 is throttled, so a miscount shows at once.
  running = testHeadroom({}, { random: () => 0 }).headroom;
  return { headroom: running, payments: running.throttle('payments') };
}

type Report = (headroom: EmbeddedHeadroom, report: () => void) => void;

/** Contexts a callback may report in, none of them the attempt's. */
const ELSEWHERE: ReadonlyArray<readonly [string, Report]> = [
  ['the root context', (_headroom, report) => context.with(ROOT_CONTEXT, report)],
  ['another class (CRITICAL_PLUS)', (headroom, report) => headroom.withCriticality('CRITICAL_PLUS', report)],
  [
    'another class (SHEDDABLE_PLUS)',
    (headroom, report) => headroom.withCriticality('SHEDDABLE_PLUS', report),
  ],
];

/** Counts per class, as the metrics read them. */
function counts(payments: Throttle, headroom: EmbeddedHeadroom) {
  const classes: Criticality[] = ['CRITICAL_PLUS', 'CRITICAL', 'SHEDDABLE_PLUS', 'SHEDDABLE'];
  return {
    probabilities: classes.map((criticality) => payments.probability({ criticality })),
    stats: headroom.clientThrottles.stats().map(({ criticality, sent, throttled, accepted, refused }) => ({
      criticality,
      sent,
      throttled,
      accepted,
      refused,
    })),
  };
}

describe("a throttle decision's record()", () => {
  it.each(ELSEWHERE)(
    'should count an accept reported in %s in the class of the attempt: a backend accepting everything is never throttled',
    (_where, elsewhere) => {
      const { headroom, payments } = setup();
      const decisions = [];
      for (let i = 0; i < 20; i++) {
        const decision = headroom.withCriticality('SHEDDABLE', () => payments.attempt());
        decisions.push(decision.throttled);
        if (!decision.throttled) elsewhere(headroom, () => decision.record(true));
      }
      expect(decisions).toEqual(Array(20).fill(false));
      expect(counts(payments, headroom)).toEqual({
        probabilities: [0, 0, 0, 0],
        stats: [{ criticality: 'SHEDDABLE', sent: 20, throttled: 0, accepted: 20, refused: 0 }],
      });
    },
  );

  it('should count refusals in the class of the attempt too, and only the first report of a call', () => {
    const { headroom, payments } = setup();
    const decision = headroom.withCriticality('SHEDDABLE', () => payments.attempt());
    if (decision.throttled) throw new Error('the first call is never throttled');
    context.with(ROOT_CONTEXT, () => {
      decision.record(false);
      decision.record(true); // a second report of the same call: ignored
      decision.record(false);
    });
    expect(counts(payments, headroom)).toEqual({
      probabilities: [0, 0, 0, 0.5],
      stats: [{ criticality: 'SHEDDABLE', sent: 1, throttled: 0, accepted: 0, refused: 1 }],
    });
  });

  it('should count record(accepted, decision) in the decision class, and record(accepted) in the class active where it runs', () => {
    const { headroom, payments } = setup();
    const first = headroom.withCriticality('SHEDDABLE', () => payments.attempt());
    context.with(ROOT_CONTEXT, () => payments.record(true, first as { criticality: Criticality }));
    const second = headroom.withCriticality('SHEDDABLE', () => payments.attempt());
    context.with(ROOT_CONTEXT, () => payments.record(true)); // the old call: the active class, CRITICAL here
    expect([first.throttled, second.throttled]).toEqual([false, false]);
    expect(counts(payments, headroom).stats).toEqual([
      { criticality: 'SHEDDABLE', sent: 2, throttled: 0, accepted: 1, refused: 0 },
      { criticality: 'CRITICAL', sent: 0, throttled: 0, accepted: 1, refused: 0 },
    ]);
  });

  it('should describe the call with its own fields only, frozen', () => {
    const { payments } = setup();
    const decision = payments.attempt();
    expect(decision).toEqual({
      throttled: false,
      target: 'payments',
      criticality: 'CRITICAL',
      probability: 0,
    });
    expect(Object.keys(decision)).toEqual(['throttled', 'target', 'criticality', 'probability']);
    expect(Object.isFrozen(decision)).toBe(true);
  });
});
