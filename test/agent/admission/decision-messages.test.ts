import { describe, expect, it } from 'vitest';
import { stepBackMessage } from '../../../agent/admission/admission-messages.ts';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { evenly, fifoPlant, proxyQueue, setup } from './setup.ts';

/** Each tick's decisions with the pressure the controller holds after it. */
type Taken = { decision: AdmissionDecision; pressure: number };

/**
 * The FIFO plant (capacity 100 a second) healthy at 0.9x for 30 s, then square waves of 3x and
 * 0.5x, each half `halfS` seconds long, to `seconds`.
 */
function fifoWaves(halfS = 10, seconds = 240): Taken[] {
  const harness = setup({}, evenly());
  const plant = fifoPlant(harness, 100);
  const taken: Taken[] = [];
  for (let s = 0; s < seconds; s++) {
    const n = s < 30 ? 90 : Math.floor((s - 30) / halfS) % 2 === 0 ? 300 : 50;
    plant.step({ CRITICAL_PLUS: n * 0.1, CRITICAL: n * 0.2, SHEDDABLE: n * 0.7 });
    const { controller } = harness;
    for (const decision of controller.observe('NONE'))
      taken.push({ decision, pressure: controller.pressure });
  }
  return taken;
}

/** The pressures a decision's message names as set: `back to pressure 0.9`, `to pressure 2.4`, `down to pressure 1`. */
function named(message: string): number[] {
  return [...message.matchAll(/(?:^|[ ;,]) ?(?:back |down |up )?to pressure ([\d.]+)/g)].map((m) =>
    Number(m[1]),
  );
}

describe('decision messages that name a pressure (review15f L1)', () => {
  it('should name the pressure set, when the flow sizes a step back past the pressure before easing', () => {
    // A burst meeting easing under way: the flow sizes the step back past the pressure before
    // easing (30 s waves; a dependency slower than the window no longer reads as a backlog).
    const taken = fifoWaves(30, 400);
    const naming = taken.filter(({ decision }) => named(decision.message).length > 0);
    expect(naming.some(({ decision }) => decision.message.includes('what the flow sizes'))).toBe(true);
    expect(
      naming.filter(({ decision, pressure }) => named(decision.message)[0] !== Number(pressure.toFixed(3))),
    ).toEqual([]);
  });

  it('should name the pressure set in every step back and release of a FIFO under square waves, and behind a bounded queue', () => {
    const bounded: Taken[] = [];
    const harness = setup({}, evenly());
    harness.controller.subscribe((decision) =>
      bounded.push({ decision, pressure: harness.controller.pressure }),
    );
    proxyQueue(harness, {
      limit: 400,
      perSecond: (s) => (s < 30 ? 90 : s % 40 < 20 ? 300 : 60),
      capacity: 100,
      seconds: 300,
      from: 0,
    });
    const naming = [...fifoWaves(), ...bounded].filter(({ decision }) => named(decision.message).length > 0);
    expect(naming.length).toBeGreaterThan(3);
    expect(
      naming.filter(({ decision, pressure }) => named(decision.message)[0] !== Number(pressure.toFixed(3))),
    ).toEqual([]);
  });

  it('should say each way a step back goes', () => {
    const base = { waitMs: 10_000, bandWaitMs: 30_000, windowMs: 3000 };
    const flow = { arrivals: 103, completions: 86, expected: 103 };
    expect([
      stepBackMessage('SHEDDABLE', 0.7, 0.8, undefined, { ...base, flow, to: 0.8, backTo: 0.8 }),
      stepBackMessage('SHEDDABLE', 0.5, 0.6, undefined, { ...base, to: 0.6, backTo: 0.915 }),
      stepBackMessage('CRITICAL', 0, 0.5, undefined, {
        ...base,
        flow,
        to: 2.4,
        backTo: 0.915,
        sized: { backlog: 208, drainMs: 5000 },
      }),
    ]).toEqual([
      'SHEDDABLE rejection 70% -> 80%: easing hurt, the backlog grows (103 admitted, 86 finished in 3s); back to pressure 0.8, easing waits 10s (30s in the band)',
      'SHEDDABLE rejection 50% -> 60%: easing hurt; back to pressure 0.6, on the way to 0.915, easing waits 10s (30s in the band)',
      'CRITICAL rejection 0% -> 50%: easing hurt, the backlog grows (103 admitted, 86 finished in 3s); to pressure 2.4, what the flow sizes to drain 208 waiting within 5s, easing waits 10s (30s in the band)',
    ]);
  });
});
