/**
 * `throttle.run(fn)`: attempts, calls fn unless throttled, records how the backend took the call
 * (HTTP 429 and 503 and errors without a status are refusals), and lets fn's errors through.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../agent/index.ts';
import { acceptedByDefault, ClientThrottle } from '../../../instrumentation/throttle/index.ts';

function throttle(random = () => 0.5) {
  return new ClientThrottle({
    target: 'payments',
    k: 2,
    windowMs: 120_000,
    enabled: true,
    clock: new ManualClock(),
    random,
  });
}

const counts = (t: ClientThrottle) => {
  const [s] = t.stats();
  return s === undefined
    ? undefined
    : { sent: s.sent, throttled: s.throttled, accepted: s.accepted, refused: s.refused };
};

describe('acceptedByDefault', () => {
  it.each([
    [{ status: 200 }, true],
    [{ status: 204 }, true],
    [{ status: 404 }, true], // the backend took it: not overload
    [{ status: 500 }, true],
    [{ status: 502 }, true],
    [{ status: 429 }, false],
    [{ status: 503 }, false],
    [{ statusCode: 503 }, false], // node:http IncomingMessage
    [{ statusCode: 200 }, true],
    [{ status: 'ok', statusCode: 429 }, false],
    [{ status: 99 }, true], // not an HTTP status: a value without one
    [{ status: 600 }, true],
    [{ status: 503.5 }, true],
    ['text', true],
    [undefined, true],
    [null, true],
  ])('value %j -> accepted %s', (value, expected) => {
    expect(acceptedByDefault({ ok: true, value })).toBe(expected);
  });

  it.each([
    [new Error('connect ECONNREFUSED'), false],
    [Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }), false],
    [new DOMException('aborted', 'AbortError'), false],
    [Object.assign(new Error('HTTP 503'), { status: 503 }), false],
    [Object.assign(new Error('HTTP 404'), { statusCode: 404 }), true],
    [Object.assign(new Error('axios'), { response: { status: 429 } }), false],
    [Object.assign(new Error('axios'), { response: { status: 400 } }), true],
    [Object.assign(new Error('got'), { response: { statusCode: 503 } }), false],
    [Object.assign(new Error('odd'), { response: null }), false],
    ['a string', false],
    [undefined, false],
    [null, false],
  ])('error %s -> accepted %s', (error, expected) => {
    expect(acceptedByDefault({ ok: false, error })).toBe(expected);
  });
});

describe('ClientThrottle.run', () => {
  it("should resolve to fn's value and count an accepted call", async () => {
    const t = throttle();
    const response = new Response('paid', { status: 200 });
    await expect(t.run(() => Promise.resolve(response))).resolves.toEqual({
      throttled: false,
      target: 'payments',
      criticality: 'CRITICAL',
      probability: 0,
      value: response,
      accepted: true,
    });
    expect(counts(t)).toEqual({ sent: 1, throttled: 0, accepted: 1, refused: 0 });
  });

  it('should resolve to a 503 response (a value) and count it refused', async () => {
    const t = throttle();
    const result = await t.run(async () => new Response('busy', { status: 503 }));
    expect(result.throttled === false && [result.value.status, result.accepted]).toEqual([503, false]);
    expect(counts(t)).toEqual({ sent: 1, throttled: 0, accepted: 0, refused: 1 });
  });

  it('should take a synchronous function and its value', async () => {
    const t = throttle();
    const result = await t.run(() => 42, { criticality: 'SHEDDABLE' });
    expect(result).toEqual({
      throttled: false,
      target: 'payments',
      criticality: 'SHEDDABLE',
      probability: 0,
      value: 42,
      accepted: true,
    });
  });

  it("should pass fn's rejection and throw through untouched, counted refused", async () => {
    const t = throttle();
    const rejection = new Error('ECONNRESET');
    await expect(t.run(() => Promise.reject(rejection))).rejects.toBe(rejection);
    const thrown = new TypeError('bad input');
    await expect(
      t.run(() => {
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    expect(counts(t)).toEqual({ sent: 2, throttled: 0, accepted: 0, refused: 2 });
  });

  it('should not call fn when throttled and resolve to the Throttled value', async () => {
    const t = throttle(() => 0);
    await t.run(async () => ({ status: 503 }));
    let called = 0;
    const result = await t.run(async () => {
      called++;
      return { status: 200 };
    });
    expect(called).toBe(0);
    expect(result).toEqual({
      throttled: true,
      code: 'HEADROOM_CLIENT_THROTTLED',
      target: 'payments',
      criticality: 'CRITICAL',
      probability: 0.5,
      message:
        'payments (CRITICAL): call rejected locally with probability 0.5; the backend accepted 0 of 1 calls attempted in the last 120 s (k = 2)',
    });
    expect(counts(t)).toEqual({ sent: 1, throttled: 1, accepted: 0, refused: 1 });
  });

  it("should classify with the caller's isAccepted, a throwing one counting the call refused", async () => {
    const t = throttle();
    const seen: unknown[] = [];
    const error = new Error('quota');
    const isAccepted = (outcome: unknown) => {
      seen.push(outcome);
      return true;
    };
    await t.run(async () => ({ status: 503 }), { isAccepted });
    await expect(t.run(() => Promise.reject(error), { isAccepted })).rejects.toBe(error);
    expect(seen).toEqual([
      { ok: true, value: { status: 503 } },
      { ok: false, error },
    ]);
    const result = await t.run(async () => 'x', {
      isAccepted: () => {
        throw new Error('classifier bug');
      },
    });
    expect(result.throttled === false && result.accepted).toBe(false);
    expect(counts(t)).toEqual({ sent: 3, throttled: 0, accepted: 2, refused: 1 });
  });
});
