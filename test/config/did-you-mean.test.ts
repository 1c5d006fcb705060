import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../config/did-you-mean.ts';

describe('editDistance', () => {
  it('should count insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('window', 'window')).toBe(0);
    expect(editDistance('windw', 'window')).toBe(1);
    expect(editDistance('windwo', 'window')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ab', 'ba')).toBe(1);
  });

  it('should not edit a substring twice (optimal string alignment)', () => {
    expect(editDistance('ca', 'abc')).toBe(3);
  });
});

describe('didYouMean', () => {
  const keys = ['window', 'evaluation', 'exporters', 'degradation'];

  it('should suggest the closest key for a likely typo', () => {
    expect(didYouMean('windw', keys)).toBe('window');
    expect(didYouMean('exporter', keys)).toBe('exporters');
    expect(didYouMean('Window', keys)).toBe('window');
    expect(didYouMean('degredaton', keys)).toBe('degradation');
  });

  it('should suggest nothing when no key is close enough', () => {
    expect(didYouMean('colour', keys)).toBeUndefined();
    expect(didYouMean('x', keys)).toBeUndefined();
    expect(didYouMean('window', [])).toBeUndefined();
  });

  it('should allow more edits for longer words: max(2, length / 3)', () => {
    expect(didYouMean('evalxxion', keys)).toBe('evaluation');
    expect(didYouMean('evxxxxtion', keys)).toBeUndefined();
  });

  it('should prefer the closer candidate, then the earlier one', () => {
    expect(didYouMean('p95', ['p50', 'p90', 'p99'])).toBe('p90');
    expect(didYouMean('ab', ['ac', 'ad'])).toBe('ac');
  });
});
