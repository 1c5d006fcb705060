import { describe, expect, it } from 'vitest';
import { CRITICALITIES, type Criticality, criticalityRank } from '../../../agent/admission/index.ts';
import {
  type CriticalitySources,
  type ResolvedCriticality,
  resolveCriticality,
} from '../../../instrumentation/criticality/precedence.ts';

const CP = 'CRITICAL_PLUS';
const C = 'CRITICAL';
const SP = 'SHEDDABLE_PLUS';
const S = 'SHEDDABLE';

/** [sources, expected]: the README's precedence, row by row. */
const TABLE: [CriticalitySources, ResolvedCriticality][] = [
  // 4. nothing: CRITICAL
  [{}, { criticality: C, source: 'default' }],
  [{ trustedPeer: true }, { criticality: C, source: 'default' }],
  // 1. code is final: YAML and baggage, trusted or not, change nothing
  [
    { code: S, yaml: CP, baggage: CP, trustedPeer: true },
    { criticality: S, source: 'code' },
  ],
  [
    { code: CP, yaml: S, baggage: S },
    { criticality: CP, source: 'code' },
  ],
  [{ code: SP }, { criticality: SP, source: 'code' }],
  [
    { code: C, baggage: 'bogus' },
    { criticality: C, source: 'code', invalidBaggage: 'bogus' },
  ],
  // 2. YAML; baggage may lower it...
  [{ yaml: SP }, { criticality: SP, source: 'yaml' }],
  [
    { yaml: CP, baggage: S },
    { criticality: S, source: 'baggage' },
  ],
  [
    { yaml: C, baggage: SP },
    { criticality: SP, source: 'baggage' },
  ],
  [
    { yaml: SP, baggage: S, trustedPeer: true },
    { criticality: S, source: 'baggage' },
  ],
  // ...never raise it, even from a trusted peer
  [
    { yaml: S, baggage: CP },
    { criticality: S, source: 'yaml' },
  ],
  [
    { yaml: S, baggage: CP, trustedPeer: true },
    { criticality: S, source: 'yaml' },
  ],
  [
    { yaml: SP, baggage: C, trustedPeer: true },
    { criticality: SP, source: 'yaml' },
  ],
  [
    { yaml: C, baggage: C },
    { criticality: C, source: 'yaml' },
  ],
  [
    { yaml: S, baggage: 'critical' },
    { criticality: S, source: 'yaml', invalidBaggage: 'critical' },
  ],
  // 3. baggage alone: a trusted peer's as is
  [
    { baggage: CP, trustedPeer: true },
    { criticality: CP, source: 'baggage' },
  ],
  [
    { baggage: C, trustedPeer: true },
    { criticality: C, source: 'baggage' },
  ],
  [
    { baggage: S, trustedPeer: true },
    { criticality: S, source: 'baggage' },
  ],
  // ...anyone else's only lowers the default: CRITICAL_PLUS counts as CRITICAL
  [{ baggage: CP }, { criticality: C, source: 'baggage' }],
  [
    { baggage: CP, trustedPeer: false },
    { criticality: C, source: 'baggage' },
  ],
  [{ baggage: C }, { criticality: C, source: 'baggage' }],
  [{ baggage: SP }, { criticality: SP, source: 'baggage' }],
  [{ baggage: S }, { criticality: S, source: 'baggage' }],
  // an invalid value is ignored, whoever sent it
  [{ baggage: '' }, { criticality: C, source: 'default', invalidBaggage: '' }],
  [
    { baggage: 'critical_plus', trustedPeer: true },
    { criticality: C, source: 'default', invalidBaggage: 'critical_plus' },
  ],
  [{ baggage: ' SHEDDABLE' }, { criticality: C, source: 'default', invalidBaggage: ' SHEDDABLE' }],
  [
    { baggage: 'CRITICAL_PLUS;x=1' },
    { criticality: C, source: 'default', invalidBaggage: 'CRITICAL_PLUS;x=1' },
  ],
  [{ baggage: '__proto__' }, { criticality: C, source: 'default', invalidBaggage: '__proto__' }],
  [{ baggage: 'hasOwnProperty' }, { criticality: C, source: 'default', invalidBaggage: 'hasOwnProperty' }],
];

describe('resolveCriticality (code > YAML > baggage; baggage only lowers unless trusted)', () => {
  it.each(TABLE)('should resolve %j to %j', (sources, expected) => {
    expect(resolveCriticality(sources)).toEqual(expected);
  });

  it('should never let an untrusted peer raise a class, for every combination', () => {
    const yamls: (Criticality | undefined)[] = [undefined, ...CRITICALITIES];
    for (const yaml of yamls)
      for (const baggage of CRITICALITIES) {
        const { criticality } = resolveCriticality({ yaml, baggage, trustedPeer: false });
        const ceiling = criticalityRank(yaml ?? C);
        expect(criticalityRank(criticality)).toBeLessThanOrEqual(ceiling);
        // and it lowers exactly to the baggage when the baggage is lower
        expect(criticalityRank(criticality)).toBe(Math.min(ceiling, criticalityRank(baggage)));
      }
  });

  it('should let a trusted peer set any class when no YAML class applies, and lower one when it does', () => {
    for (const baggage of CRITICALITIES) {
      expect(resolveCriticality({ baggage, trustedPeer: true }).criticality).toBe(baggage);
      for (const yaml of CRITICALITIES)
        expect(criticalityRank(resolveCriticality({ yaml, baggage, trustedPeer: true }).criticality)).toBe(
          Math.min(criticalityRank(yaml), criticalityRank(baggage)),
        );
    }
  });
});
