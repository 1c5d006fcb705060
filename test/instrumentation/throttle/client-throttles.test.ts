/** One throttle per target, bounded: targets beyond maxTargets share `__overflow__`, never throttled. */
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../agent/index.ts';
import { InvalidArgumentError } from '../../../errors.ts';
import { ClientThrottles } from '../../../instrumentation/throttle/index.ts';

function registry(maxTargets = 3) {
  return new ClientThrottles({
    config: { enabled: true, k: 2, windowMs: 120_000, maxTargets },
    clock: new ManualClock(),
    random: () => 0,
    maxNameLength: 16,
  });
}

describe('ClientThrottles', () => {
  afterEach(() => diag.disable());

  it('should give the same throttle for the same target, with the configured k unless given', () => {
    const throttles = registry();
    const payments = throttles.get('payments');
    expect(throttles.get('payments')).toBe(payments);
    expect(throttles.get('payments', { k: 2 })).toBe(payments);
    expect([payments.target, payments.k]).toEqual(['payments', 2]);
    expect(throttles.get('search', { k: 1.1 }).k).toBe(1.1);
    expect(throttles.get('search').k).toBe(1.1);
  });

  it.each([
    ['', 'target'],
    ['a'.repeat(17), 'target'],
    ['__overflow__', 'target'],
    [42, 'target'],
    [undefined, 'target'],
  ])('should refuse target %j with a coded error', (target, argument) => {
    const error = captured(() => registry().get(target as string));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect([(error as InvalidArgumentError).code, (error as InvalidArgumentError).argument]).toEqual([
      'HEADROOM_ERR_API_INVALID_ARGUMENT',
      argument,
    ]);
    expect((error as Error).message).toMatch(
      /^headroom\.throttle: target must be a non-empty string of at most 16 characters/,
    );
  });

  it.each([0.5, 0, -1, Number.NaN, Number.POSITIVE_INFINITY, '2'])('should refuse k = %s', (k) => {
    const error = captured(() => registry().get('payments', { k: k as number }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe('k');
  });

  it("should refuse another k for an existing target's throttle", () => {
    const throttles = registry();
    throttles.get('payments', { k: 3 });
    expect(() => throttles.get('payments', { k: 2 })).toThrow(
      'headroom.throttle: target "payments" already throttles with k = 3, asked for k = 2',
    );
  });

  it('should send the calls of targets beyond maxTargets to a shared __overflow__ throttle that never throttles, warning once', () => {
    const warnings: string[] = [];
    diag.setLogger({ ...silent, warn: (message: string) => warnings.push(message) }, DiagLogLevel.WARN);
    const throttles = registry(2);
    throttles.get('a');
    throttles.get('b');
    const c = throttles.get('c');
    expect(throttles.get('d')).toBe(c);
    expect(c.target).toBe('__overflow__');
    for (let i = 0; i < 5; i++) {
      expect(c.attempt().throttled).toBe(false);
      c.record(false);
    }
    throttles.get('a').attempt();
    throttles.get('a').record(true);
    expect(throttles.stats()).toEqual([
      {
        target: 'a',
        criticality: 'CRITICAL',
        sent: 1,
        throttled: 0,
        accepted: 1,
        refused: 0,
        aborted: 0,
        probability: 0,
      },
      {
        target: '__overflow__',
        criticality: 'CRITICAL',
        sent: 5,
        throttled: 0,
        accepted: 0,
        refused: 5,
        aborted: 0,
        probability: 0,
      },
    ]);
    expect(warnings).toEqual([
      'headroom: admission.clientThrottle.maxTargets (2) reached; calls to "c" and any further new target are counted under target "__overflow__" and never throttled',
    ]);
  });
});

const silent = { error() {}, warn() {}, info() {}, debug() {}, verbose() {} };

function captured(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
