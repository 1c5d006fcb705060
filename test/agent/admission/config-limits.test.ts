import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../config/index.ts';
import type { admissionConfig } from './setup.ts';

/** Each issue of `admission` as `[path, message]`; [] when it parses. */
function issues(admission: Parameters<typeof admissionConfig>[0]) {
  const result = configSchema.safeParse({ admission });
  return result.success ? [] : result.error.issues.map((i) => [i.path.join('.'), i.message]);
}

describe('admission config values that would disable a part of the law (review15 F5)', () => {
  it('should refuse a maxStep of 0%, and take the smallest step above it', () => {
    expect(issues({ maxStep: '0%' })).toEqual([
      ['admission.maxStep', 'must be more than 0%: with a step of 0% admission would never shed (e.g. 10%)'],
    ]);
    expect(issues({ maxStep: '0.1%' })).toEqual([]);
    expect(issues({ maxStep: '100%' })).toEqual([]);
  });

  it('should refuse a recovery.improvement of 100%, and take anything under it', () => {
    expect(issues({ recovery: { improvement: '100%' } })).toEqual([
      [
        'admission.recovery.improvement',
        'must be less than 100%: the exit ratio would be 0 and shedding would never ease (e.g. 25%)',
      ],
    ]);
    expect(issues({ recovery: { improvement: '99.9%' } })).toEqual([]);
    expect(issues({ recovery: { improvement: '0%' } })).toEqual([]);
  });

  it('should report both at once, with the percentage errors unchanged', () => {
    expect(issues({ maxStep: '0%', recovery: { improvement: '100%' } }).map(([path]) => path)).toEqual([
      'admission.maxStep',
      'admission.recovery.improvement',
    ]);
    expect(issues({ maxStep: '101%' })).toEqual([
      ['admission.maxStep', 'expected a percentage from 0% to 100%, such as 20%, got "101%"'],
    ]);
  });
});
