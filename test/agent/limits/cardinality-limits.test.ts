import { describe, expect, it } from 'vitest';
import { CardinalityLimits, OVERFLOW, truncate } from '../../../agent/index.ts';
import { LimitsOptionsError } from '../../../errors.ts';

const ZERO = { namespace: 0, service: 0, operation: 0, context: 0, phase: 0, series: 0 };

describe('CardinalityLimits', () => {
  it('should admit values while the level has room, then fold new ones into __overflow__, counted per refusal', () => {
    const limits = new CardinalityLimits({ max: { operation: 2 } });
    const level = new Map<string, unknown>([
      ['a', 1],
      ['b', 1],
    ]);

    expect(limits.admit('operation', level, 'a')).toBe('a');
    expect(limits.admit('operation', level, 'c')).toBe(OVERFLOW);
    expect(limits.admit('operation', level, 'c')).toBe(OVERFLOW);
    expect(limits.admit('operation', level, OVERFLOW)).toBe(OVERFLOW);
    expect(limits.admit('operation', new Map([['a', 1]]), 'c')).toBe('c');
    expect(limits.overflowed()).toStrictEqual({ ...ZERO, operation: 2 });
  });

  it("should not count the overflow entry nor '' (the whole operation) against a level's cap", () => {
    const limits = new CardinalityLimits({ max: { phase: 1 } });
    const level = new Map<string, unknown>([
      ['', 1],
      [OVERFLOW, 1],
    ]);

    expect(limits.admit('phase', level, 'routing')).toBe('routing');
    level.set('routing', 1);
    expect(limits.admit('phase', level, 'execution')).toBe(OVERFLOW);
  });

  it('should admit only the allowed values of a dimension, whatever the room', () => {
    const limits = new CardinalityLimits({ allowed: { context: new Set(['emergency', 'routine']) } });

    expect(limits.admit('context', new Map(), 'routine')).toBe('routine');
    expect(limits.admit('context', new Map(), 'emergancy')).toBe(OVERFLOW);
    expect(limits.admit('context', new Map(), '')).toBe(OVERFLOW);
    expect(limits.overflowed().context).toBe(2);
  });

  it('should leave names up to nameLength alone and truncate longer ones, counted by dimension', () => {
    const limits = new CardinalityLimits({ nameLength: 16 });

    expect(limits.name('operation', 'x'.repeat(16))).toBe('x'.repeat(16));
    expect(limits.name('operation', 'y'.repeat(4_000_000))).toBe('y'.repeat(16));
    expect(limits.name('service', `${'s'.repeat(17)}`)).toBe('s'.repeat(16));
    expect(limits.truncated()).toStrictEqual({ ...ZERO, operation: 1, service: 1 });
  });

  it('should never cut a surrogate pair in two', () => {
    expect(truncate(`${'a'.repeat(15)}😀b`, 16)).toBe('a'.repeat(15));
    expect(truncate(`${'a'.repeat(14)}😀b`, 16)).toBe(`${'a'.repeat(14)}😀`);
    expect(truncate('short', 16)).toBe('short');
  });

  it('should keep counting across a reconfigure and refuse invalid maxima', () => {
    const limits = new CardinalityLimits({ max: { service: 1 } });
    limits.admit('service', new Map([['a', 1]]), 'b');
    limits.reconfigure({ max: { service: 5 } });

    expect(limits.max('service')).toBe(5);
    expect(limits.max('namespace')).toBe(Number.POSITIVE_INFINITY);
    expect(limits.overflowed().service).toBe(1);
    // toThrow(error) compares class, message and own fields: the code and the option too.
    expect(() => limits.reconfigure({ max: { service: 0 } })).toThrow(
      new LimitsOptionsError('service', 'CardinalityLimits: service must be a positive integer, got 0'),
    );
    expect(() => new CardinalityLimits({ nameLength: 1.5 })).toThrow(
      new LimitsOptionsError(
        'nameLength',
        'CardinalityLimits: nameLength must be a positive integer, got 1.5',
      ),
    );
    expect(new LimitsOptionsError('service').code).toBe('HEADROOM_ERR_LIMITS_OPTIONS_INVALID');
  });
});
