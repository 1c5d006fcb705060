import { describe, expect, it } from 'vitest';
import { describeArgument } from '../../../instrumentation/criticality/describe-argument.ts';
import { hostileValues, trappedProxy } from './hostile-values.ts';

describe('describeArgument', () => {
  it.each(hostileValues())('should describe %s without calling into it', (_name, value, described) => {
    expect(describeArgument(value)).toBe(described);
  });

  it('should run no trap of a proxy', () => {
    const { value, trapsCalled } = trappedProxy();
    expect(describeArgument(value)).toBe('an object');
    expect(trapsCalled).toEqual([]);
  });

  it('should quote a string cut to 64 code units, never half a surrogate pair', () => {
    expect(describeArgument(`${'a'.repeat(63)}😀tail`)).toBe(JSON.stringify('a'.repeat(63)));
    expect(describeArgument('say "hi"\n')).toBe('"say \\"hi\\"\\n"');
  });

  it('should write numbers, booleans and undefined as code does', () => {
    expect([7, -0.5, Number.POSITIVE_INFINITY, true, undefined].map(describeArgument)).toEqual([
      '7',
      '-0.5',
      'Infinity',
      'true',
      'undefined',
    ]);
  });
});
