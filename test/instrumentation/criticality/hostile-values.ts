/**
 * Values untyped code could pass where a class is expected, each of which throws (or runs code)
 * when converted to a string: a log line describing them must not touch them.
 */

/** A proxy whose every trap throws, and the traps that were called. */
export function trappedProxy(): { readonly value: object; readonly trapsCalled: string[] } {
  const trapsCalled: string[] = [];
  const handler = new Proxy(
    {},
    {
      get(_target, trap: string) {
        return () => {
          trapsCalled.push(trap);
          throw new Error(`trap ${trap}`);
        };
      },
    },
  );
  return { value: new Proxy({}, handler), trapsCalled };
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

const throwing = () => {
  throw new Error('no');
};

/** Each hostile value, and how a log line describes it. */
export function hostileValues(): ReadonlyArray<readonly [string, unknown, string]> {
  return [
    ['a null-prototype object', Object.create(null), 'an object'],
    ['an object whose toString throws', { toString: throwing }, 'an object'],
    [
      'an object whose toString getter throws',
      Object.defineProperty({}, 'toString', { get: throwing }),
      'an object',
    ],
    ['an object whose Symbol.toPrimitive throws', { [Symbol.toPrimitive]: throwing }, 'an object'],
    [
      'an object whose Symbol.toStringTag getter throws',
      Object.defineProperty({}, Symbol.toStringTag, { get: throwing }),
      'an object',
    ],
    ['a proxy that throws on every trap', trappedProxy().value, 'an object'],
    ['a revoked proxy', revokedProxy(), 'an object'],
    [
      'a function whose toString throws',
      Object.assign(() => 'CRITICAL', { toString: throwing }),
      'a function',
    ],
    ['a symbol', Symbol('CRITICAL'), 'a symbol'],
    ['a bigint', 10n ** 30n, '1000000000000000000000000000000n'],
    ['NaN', Number.NaN, 'NaN'],
    ['null', null, 'null'],
    ['a boxed string', Object('CRITICAL'), 'an object'],
    ['a huge string', 'S'.repeat(10_000_000), JSON.stringify('S'.repeat(64))],
    ['a lower-case class', 'critical', '"critical"'],
  ];
}
