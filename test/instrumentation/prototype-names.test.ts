// Names users and senders choose (contexts, phases, features, modifiers) are looked up in
// configuration records: a name that is a member of Object.prototype must be found only when it
// is configured, never as the prototype's function.
import { afterEach, describe, expect, it } from 'vitest';
import { testHeadroom } from '../helpers/headroom.ts';

const PROTOTYPE_NAMES = [
  'toString',
  'constructor',
  '__proto__',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
];

const shutdowns: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const shutdown of shutdowns.splice(0)) await shutdown();
});

describe('names that are members of Object.prototype', () => {
  it('should trace operations in unconfigured contexts and phases named like them without judging or throwing', () => {
    const { headroom, exporter } = testHeadroom();
    shutdowns.push(() => headroom.shutdown());
    const results = PROTOTYPE_NAMES.map((name) =>
      headroom.track('x', name, (op) => op.phase(name, () => `${name} ran`)),
    );
    const routine = PROTOTYPE_NAMES.map((name) =>
      headroom.track('y', 'routine', (op) => op.phase(name, () => 1)),
    );

    expect(results).toEqual(PROTOTYPE_NAMES.map((name) => `${name} ran`));
    expect(routine).toEqual(PROTOTYPE_NAMES.map(() => 1));
    const budgets = exporter
      .getFinishedSpans()
      .filter((span) => span.name !== 'x' && span.name !== 'y')
      .map((span) => span.attributes['headroom.budget.ms'] ?? null);
    // Phases of unknown contexts and unknown phases of routine: no budget, never NaN.
    expect(budgets).toEqual(PROTOTYPE_NAMES.flatMap(() => [null]).concat(PROTOTYPE_NAMES.map(() => null)));
    expect(PROTOTYPE_NAMES.map((name) => headroom.features.enabled(name))).toEqual(
      PROTOTYPE_NAMES.map(() => true),
    );
  });

  it('should judge configured contexts and phases named like them against their own budgets', () => {
    const { headroom, exporter } = testHeadroom({
      contexts: {
        constructor: { budget: '100ms', phases: { isPrototypeOf: '40%', toString: '60%' } },
        valueOf: { budget: '80ms', phases: { hasOwnProperty: '100%' } },
      },
    });
    shutdowns.push(() => headroom.shutdown());
    headroom.track('a', 'constructor', (op) => {
      op.phase('isPrototypeOf', () => 1);
      op.phase('toString', () => 1);
    });
    headroom.track('b', 'valueOf', (op) => op.phase('hasOwnProperty', () => 1));

    expect(
      exporter.getFinishedSpans().map((span) => [span.name, span.attributes['headroom.budget.ms'] ?? null]),
    ).toEqual([
      ['isPrototypeOf', 40],
      ['toString', 60],
      ['a', 100],
      ['hasOwnProperty', 80],
      ['b', 80],
    ]);
  });
});
