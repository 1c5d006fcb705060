import { context, diag, propagation } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Criticality } from '../../../agent/admission/index.ts';
import type { EmbeddedHeadroom } from '../../../instrumentation/index.ts';
import { captureDiagWarnings } from '../../helpers/diag.ts';
import { testHeadroom } from '../../helpers/headroom.ts';

let running: EmbeddedHeadroom | undefined;
let warnings: string[] = [];

beforeEach(() => {
  warnings = captureDiagWarnings();
});

afterEach(async () => {
  diag.disable();
  await running?.shutdown();
  running = undefined;
});

function setup(config: Parameters<typeof testHeadroom>[0] = {}) {
  const made = testHeadroom(config);
  running = made.headroom;
  return made;
}

/** The `headroom.criticality` baggage entry of the active context. */
function baggageClass(): string | undefined {
  return propagation.getBaggage(context.active())?.getEntry('headroom.criticality')?.value;
}

/** The active context with incoming baggage, as an HTTP instrumentation extracts it. */
function withBaggage<R>(entries: Record<string, string>, fn: () => R): R {
  const baggage = propagation.createBaggage(
    Object.fromEntries(Object.entries(entries).map(([key, value]) => [key, { value }])),
  );
  return context.with(propagation.setBaggage(context.active(), baggage), fn);
}

describe('headroom.withCriticality', () => {
  it("should run fn with the class in baggage, keep the other entries, and return fn's result", () => {
    const { headroom } = setup();
    const seen = withBaggage({ tenant: 'acme' }, () =>
      headroom.withCriticality('SHEDDABLE', () => ({
        class: baggageClass(),
        tenant: propagation.getBaggage(context.active())?.getEntry('tenant')?.value,
      })),
    );
    expect(seen).toEqual({ class: 'SHEDDABLE', tenant: 'acme' });
    expect(baggageClass()).toBeUndefined();
  });

  it('should keep the class across awaits and let the innermost call win', async () => {
    const { headroom } = setup();
    const seen = await headroom.withCriticality('SHEDDABLE_PLUS', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      const outer = baggageClass();
      const inner = await headroom.withCriticality('CRITICAL_PLUS', async () => baggageClass());
      return [outer, inner, baggageClass()];
    });
    expect(seen).toEqual(['SHEDDABLE_PLUS', 'CRITICAL_PLUS', 'SHEDDABLE_PLUS']);
  });

  it("should let fn's error through untouched, sync and async", async () => {
    const { headroom } = setup();
    const error = new RangeError('boom');
    expect(() =>
      headroom.withCriticality('CRITICAL', () => {
        throw error;
      }),
    ).toThrow(error);
    await expect(headroom.withCriticality('CRITICAL', () => Promise.reject(error))).rejects.toBe(error);
  });

  it('should run fn in the class that was active when given something that is not a class, saying so once', () => {
    const { headroom } = setup();
    const bad = ['critical', 'CRITICAL_PLUS ', '', 'hasOwnProperty', 42, null] as unknown as Criticality[];
    const seen = headroom.withCriticality('SHEDDABLE', () =>
      bad.map((value) => headroom.withCriticality(value, () => baggageClass())),
    );
    expect(seen).toEqual(bad.map(() => 'SHEDDABLE'));
    expect(headroom.withCriticality('CRITICAL' as Criticality, () => baggageClass())).toBe('CRITICAL');
    expect(warnings).toEqual([
      'headroom: withCriticality() got "critical", not one of CRITICAL_PLUS, CRITICAL, SHEDDABLE_PLUS, SHEDDABLE; it runs in the active class (CRITICAL when none); said once',
    ]);
  });
});

describe('track() puts the active class on its span', () => {
  const CONTEXT_CLASSES = {
    contexts: { batch: { budget: '1s', percentile: 'p95', criticality: 'SHEDDABLE_PLUS' } },
  } as const;

  it('should set the class settled by withCriticality, whatever the context or baggage says', () => {
    const { headroom, exporter } = setup(CONTEXT_CLASSES);
    withBaggage({ 'headroom.criticality': 'SHEDDABLE' }, () =>
      headroom.withCriticality('CRITICAL_PLUS', () => {
        headroom.track('pay', 'emergency', () => 1);
        headroom.track('report', 'batch', () => 1);
        headroom.wrap('wrapped', 'routine', () => 1)();
      }),
    );
    expect(
      exporter.getFinishedSpans().map((span) => [span.name, span.attributes['headroom.criticality']]),
    ).toEqual([
      ['pay', 'CRITICAL_PLUS'],
      ['report', 'CRITICAL_PLUS'],
      ['wrapped', 'CRITICAL_PLUS'],
    ]);
  });

  it('should set no class outside any, so the series is judged in its YAML class', () => {
    const { headroom, exporter } = setup(CONTEXT_CLASSES);
    headroom.track('pay', 'emergency', () => 1);
    headroom.track('report', 'batch', () => 1);
    expect(exporter.getFinishedSpans().map((span) => span.attributes)).toEqual([
      { 'headroom.budget.context': 'emergency', 'headroom.budget.ms': 50 },
      { 'headroom.budget.context': 'batch', 'headroom.budget.ms': 1000 },
    ]);
  });

  it("should take incoming baggage only where it lowers the context's class (CRITICAL when it has none)", () => {
    const { headroom, exporter } = setup(CONTEXT_CLASSES);
    const cases: [string, string, string | undefined][] = [
      ['SHEDDABLE', 'emergency', 'SHEDDABLE'],
      ['SHEDDABLE_PLUS', 'emergency', 'SHEDDABLE_PLUS'],
      ['CRITICAL', 'emergency', undefined],
      ['CRITICAL_PLUS', 'emergency', undefined],
      ['SHEDDABLE', 'batch', 'SHEDDABLE'],
      ['SHEDDABLE_PLUS', 'batch', undefined],
      ['CRITICAL_PLUS', 'batch', undefined],
      ['sheddable', 'emergency', undefined],
      ['', 'batch', undefined],
    ];
    for (const [baggage, ctx] of cases)
      withBaggage({ 'headroom.criticality': baggage }, () => headroom.track('op', ctx, () => 1));
    expect(exporter.getFinishedSpans().map((span) => span.attributes['headroom.criticality'])).toEqual(
      cases.map(([, , expected]) => expected),
    );
    expect(warnings).toEqual([
      'headroom: ignored the baggage headroom.criticality="sheddable": not one of CRITICAL_PLUS, CRITICAL, SHEDDABLE_PLUS, SHEDDABLE (exact spelling); said once',
    ]);
  });
});
