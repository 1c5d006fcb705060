import { context, DiagLogLevel, diag, propagation } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Criticality } from '../../../agent/admission/index.ts';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import type { EmbeddedHeadroom } from '../../../instrumentation/index.ts';
import { testHeadroom } from '../../helpers/headroom.ts';

let running: EmbeddedHeadroom | undefined;
const logged: string[] = [];

beforeEach(() => {
  logged.length = 0;
  const log = (level: string) => (message: string) => void logged.push(`${level}: ${message}`);
  diag.setLogger(
    { error: log('error'), warn: log('warn'), info: log('info'), debug: () => {}, verbose: () => {} },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
});

afterEach(async () => {
  diag.disable();
  await running?.shutdown();
  running = undefined;
});

const SEVERE_SHEDS: HeadroomConfigInput = {
  admission: { retryAfter: '2500ms', levels: { severe: { minRejection: { SHEDDABLE: '100%' } } } },
};

/** A Headroom whose service is at SEVERE (overridden; one tick applies the level's floors). */
function atSevere(config: HeadroomConfigInput = SEVERE_SHEDS) {
  const made = testHeadroom(config, { random: () => 0.5 });
  running = made.headroom;
  made.headroom.override('SEVERE', 'load test');
  made.headroom.tick();
  return made.headroom;
}

function withBaggage<R>(value: string, fn: () => R): R {
  const baggage = propagation.createBaggage({ 'headroom.criticality': { value } });
  return context.with(propagation.setBaggage(context.active(), baggage), fn);
}

describe('headroom.admit', () => {
  it('should admit every class while nothing sheds, CRITICAL when no class is given', () => {
    const made = testHeadroom({}, { random: () => 0 });
    running = made.headroom;
    expect(made.headroom.admit()).toEqual({ admitted: true, criticality: 'CRITICAL' });
    for (const criticality of ['CRITICAL_PLUS', 'CRITICAL', 'SHEDDABLE_PLUS', 'SHEDDABLE'] as const)
      expect(made.headroom.admit(criticality)).toEqual({ admitted: true, criticality });
  });

  it('should reject a class the level sheds with a whole, coded result, and never CRITICAL_PLUS', () => {
    const headroom = atSevere();
    const rejected = headroom.admit('SHEDDABLE');
    expect(rejected).toEqual({
      admitted: false,
      criticality: 'SHEDDABLE',
      code: 'HEADROOM_ADMISSION_REJECTED',
      reason: 'degradation-level',
      probability: 1,
      retryAfterMs: 2500,
      message: expect.any(String),
    });
    expect(headroom.admit('CRITICAL_PLUS')).toEqual({ admitted: true, criticality: 'CRITICAL_PLUS' });
    expect(headroom.admit('CRITICAL')).toEqual({ admitted: true, criticality: 'CRITICAL' });
  });

  it('should judge in the active class without an argument: withCriticality, else baggage lowering CRITICAL', () => {
    const headroom = atSevere();
    expect(headroom.withCriticality('SHEDDABLE', () => headroom.admit()).admitted).toBe(false);
    expect(headroom.withCriticality('SHEDDABLE', () => headroom.admit('CRITICAL'))).toEqual({
      admitted: true,
      criticality: 'CRITICAL',
    });
    expect(withBaggage('SHEDDABLE', () => headroom.admit()).admitted).toBe(false);
    expect(withBaggage('CRITICAL_PLUS', () => headroom.admit())).toEqual({
      admitted: true,
      criticality: 'CRITICAL',
    });
    expect(withBaggage('nonsense', () => headroom.admit())).toEqual({
      admitted: true,
      criticality: 'CRITICAL',
    });
  });

  it('should ignore an argument that is not a class, saying so once, and judge the active class', () => {
    const headroom = atSevere();
    const bad = ['sheddable', '', 'toString', 7] as unknown as Criticality[];
    for (const value of bad) {
      expect(headroom.admit(value)).toEqual({ admitted: true, criticality: 'CRITICAL' });
      expect(headroom.withCriticality('SHEDDABLE', () => headroom.admit(value)).criticality).toBe(
        'SHEDDABLE',
      );
    }
    expect(logged).toEqual([
      'warn: headroom: admit() got "sheddable", not one of CRITICAL_PLUS, CRITICAL, SHEDDABLE_PLUS, SHEDDABLE; it runs in the active class (CRITICAL when none); said once',
    ]);
  });

  it('should admit everything when admission.enabled is false', () => {
    const headroom = atSevere({ admission: { ...SEVERE_SHEDS.admission, enabled: false } });
    expect(headroom.admit('SHEDDABLE')).toEqual({ admitted: true, criticality: 'SHEDDABLE' });
  });

  it('should admit, and log, when the controller fails (shedding fails open, never throws)', () => {
    const headroom = atSevere();
    vi.spyOn(headroom.agent, 'admission').mockImplementation(() => {
      throw new Error('controller bug');
    });
    expect(headroom.admit('SHEDDABLE')).toEqual({ admitted: true, criticality: 'SHEDDABLE' });
    expect(logged).toEqual(['error: headroom: admission failed; the work is admitted']);
  });
});
