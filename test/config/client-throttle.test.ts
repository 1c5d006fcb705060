import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/index.ts';
import { issuesOf as issuesOfAction } from '../helpers/config-issues.ts';

const parse = (text: string) => parseConfig([{ file: 'headroom.yaml', text }], {});
const issuesOf = (text: string) => issuesOfAction(() => parse(text)).map((i) => [i.path, i.message]);

describe('admission.clientThrottle', () => {
  it("should default to the SRE book's k = 2 over two minutes, on, 100 targets", () => {
    expect(parse('').admission.clientThrottle).toEqual({
      enabled: true,
      k: 2,
      windowMs: 120_000,
      maxTargets: 100,
    });
  });

  it('should take k from 1 and windows from 1s to 1h', () => {
    const text = 'admission:\n  clientThrottle: { enabled: false, k: 1, window: 1s, maxTargets: 1 }\n';
    expect(parse(text).admission.clientThrottle).toEqual({
      enabled: false,
      k: 1,
      windowMs: 1000,
      maxTargets: 1,
    });
    expect(parse('admission:\n  clientThrottle: { k: 1.1, window: 1h }\n').admission.clientThrottle).toEqual({
      enabled: true,
      k: 1.1,
      windowMs: 3_600_000,
      maxTargets: 100,
    });
  });

  it('should refuse k below 1, windows out of 1s..1h, targets below 1 and unknown keys', () => {
    expect(
      issuesOf('admission:\n  clientThrottle: { k: 0.9, window: 999ms, maxTargets: 0, K: 2 }\n'),
    ).toEqual([
      ['admission.clientThrottle.k', 'must be at least 1; got 0.9'],
      ['admission.clientThrottle.window', 'must be at least 1s, got "999ms"'],
      ['admission.clientThrottle.maxTargets', 'must be at least 1; got 0'],
      [
        'admission.clientThrottle.K',
        'unknown key "K" (did you mean "k"?); allowed keys: enabled, k, window, maxTargets',
      ],
    ]);
    expect(issuesOf('admission:\n  clientThrottle: { window: 61m }\n')).toEqual([
      ['admission.clientThrottle.window', 'must be at most 60m, got "61m"'],
    ]);
  });
});
