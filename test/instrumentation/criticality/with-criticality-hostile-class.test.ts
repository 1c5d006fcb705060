// Its own file: the warning for an argument that is not a class is said once per process, and the
// first call (the one that says it) is the one a value with no string conversion broke.
import { context, DiagLogLevel, diag, propagation } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import type { Criticality } from '../../../agent/admission/index.ts';
import type { EmbeddedHeadroom } from '../../../instrumentation/index.ts';
import { testHeadroom } from '../../helpers/headroom.ts';
import { hostileValues } from './hostile-values.ts';

let running: EmbeddedHeadroom | undefined;

afterEach(async () => {
  diag.disable();
  await running?.shutdown();
});

function baggageClass(): string | undefined {
  return propagation.getBaggage(context.active())?.getEntry('headroom.criticality')?.value;
}

describe('headroom.withCriticality with a value that has no string conversion', () => {
  it('should run fn in the active class and never throw, even when the diag logger throws too', () => {
    const warnings: string[] = [];
    const drop = () => {};
    const warn = (message: string) => {
      warnings.push(message);
      throw new Error('a diag logger that throws');
    };
    diag.setLogger(
      { error: drop, warn, info: drop, debug: drop, verbose: drop },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
    running = testHeadroom().headroom;
    const headroom = running;
    const hostile = {
      toString: () => {
        throw new Error('no');
      },
    } as unknown as Criticality;
    const first = headroom.withCriticality(hostile, () => ({ result: 42, class: baggageClass() }));
    const results = hostileValues().map(([name, value]) => ({
      name,
      class: headroom.withCriticality('SHEDDABLE_PLUS', () =>
        headroom.withCriticality(value as Criticality, () => headroom.admit().criticality),
      ),
    }));
    expect(first).toEqual({ result: 42, class: undefined });
    expect(results).toEqual(hostileValues().map(([name]) => ({ name, class: 'SHEDDABLE_PLUS' })));
    expect(warnings).toEqual([
      'headroom: withCriticality() got an object, not one of CRITICAL_PLUS, CRITICAL, SHEDDABLE_PLUS, SHEDDABLE; it runs in the active class (CRITICAL when none); said once',
    ]);
  });
});
