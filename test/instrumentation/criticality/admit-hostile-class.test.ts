// Its own file: the warning for an argument that is not a class is said once per process, and the
// first call (the one that says it) is the one a value with no string conversion broke.
import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import type { Criticality } from '../../../agent/admission/index.ts';
import type { EmbeddedHeadroom } from '../../../instrumentation/index.ts';
import { captureDiagWarnings } from '../../helpers/diag.ts';
import { testHeadroom } from '../../helpers/headroom.ts';
import { hostileValues } from './hostile-values.ts';

let running: EmbeddedHeadroom | undefined;

afterEach(async () => {
  diag.disable();
  await running?.shutdown();
});

describe('headroom.admit with a value that has no string conversion', () => {
  it('should admit in the active class, say it once without calling into the value, and never throw', () => {
    const warnings = captureDiagWarnings();
    running = testHeadroom().headroom;
    const headroom = running;
    const first = headroom.admit(Object.create(null) as Criticality);
    const results = hostileValues().map(([name, value]) => ({
      name,
      root: headroom.admit(value as Criticality),
      sheddable: headroom.withCriticality('SHEDDABLE', () => headroom.admit(value as Criticality)),
    }));
    expect(first).toEqual({ admitted: true, criticality: 'CRITICAL' });
    expect(results).toEqual(
      hostileValues().map(([name]) => ({
        name,
        root: { admitted: true, criticality: 'CRITICAL' },
        sheddable: { admitted: true, criticality: 'SHEDDABLE' },
      })),
    );
    expect(warnings).toEqual([
      'headroom: admit() got an object, not one of CRITICAL_PLUS, CRITICAL, SHEDDABLE_PLUS, SHEDDABLE; it runs in the active class (CRITICAL when none); said once',
    ]);
  });
});
