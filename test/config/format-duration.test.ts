import { describe, expect, it } from 'vitest';
import { formatDuration, parseDurationMs } from '../../config/index.ts';

describe('formatDuration', () => {
  it('should write every measured duration in one style, rounded', () => {
    const cases: [number, string][] = [
      [0, '0ms'],
      [0.0421, '0.042ms'],
      [59.74504981014625, '59.7ms'],
      [50, '50ms'],
      [999.96, '1s'],
      [1000, '1s'],
      [1500, '1.5s'],
      [5001, '5s'],
      [5049, '5s'],
      [5051, '5.1s'],
      [59_960, '1m'],
      [90_000, '1m30s'],
      [3_600_000, '1h'],
      [5_400_400, '1h30m'],
      [-1500, '-1.5s'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
      [Number.NaN, 'NaN'],
    ];
    expect(cases.map(([ms]) => formatDuration(ms))).toEqual(cases.map(([, text]) => text));
  });

  it('should print text the config reads back as the same duration', () => {
    for (const ms of [0.042, 59.7, 1500, 90_000, 5_400_000])
      expect(parseDurationMs(formatDuration(ms))).toBe(ms);
  });
});
