import { describe, expect, it } from 'vitest';
import { SeriesTargets } from '../../../agent/budget/series-targets.ts';
import { configOf } from '../../helpers/agent.ts';

const key = (operation: string, context = 'routine') => ({
  namespace: '',
  service: 'shop',
  operation,
  context,
  phase: '',
});

describe('SeriesTargets: the budgets of rules', () => {
  it("should judge a rule's operation, or its exact span name, against the rule's budget and others against the context's", () => {
    const targets = new SeriesTargets(
      configOf({
        rules: [
          {
            match: { attributes: { 'http.route': '/search' } },
            context: 'routine',
            operation: 'search',
            budget: '20ms',
          },
          { match: { spanName: 'GET /health' }, context: 'routine', budget: '5ms' },
          { match: { spanName: 'GET /cart' }, context: 'routine', operation: 'cart' },
        ],
      }),
    );
    expect(
      ['search', 'GET /health', 'GET /search', 'cart', 'GET /cart'].map(
        (op) => targets.of(key(op))?.baseBudgetMs,
      ),
    ).toEqual([20, 5, 200, 200, 200]);
  });
});

describe('SeriesTargets: the class of a series from YAML', () => {
  const targets = new SeriesTargets(
    configOf({
      contexts: {
        batch: { budget: '2s', criticality: 'SHEDDABLE' },
        safety: { budget: '20ms', criticality: 'CRITICAL_PLUS' },
      },
      rules: [
        { match: { spanName: 'export' }, context: 'batch', criticality: 'SHEDDABLE_PLUS' },
        { match: { service: 'other', spanName: 'quote' }, context: 'routine', criticality: 'SHEDDABLE' },
        { match: { namespace: 'eu', spanName: 'quote' }, context: 'routine', criticality: 'SHEDDABLE' },
        {
          match: { attributes: { 'http.route': '/quote' } },
          context: 'routine',
          operation: 'quote',
          criticality: 'CRITICAL_PLUS',
        },
        { match: { spanName: 'quote' }, context: 'routine', criticality: 'SHEDDABLE' },
        { match: { spanName: 'brake' }, context: 'routine' },
        { match: { spanNamePattern: '^report' }, context: 'routine', criticality: 'SHEDDABLE' },
      ],
    }),
  );

  it("should take the first rule naming the operation in the series' context, for its service and namespace", () => {
    expect([
      targets.criticalityOf(key('quote')),
      targets.criticalityOf({ ...key('quote'), service: 'other' }),
      targets.criticalityOf({ ...key('quote'), namespace: 'eu' }),
      targets.criticalityOf(key('export', 'batch')),
    ]).toEqual(['CRITICAL_PLUS', 'SHEDDABLE', 'SHEDDABLE', 'SHEDDABLE_PLUS']);
  });

  it("should fall back to the context's class, then CRITICAL: a rule in another context, without a class or naming no operation does not apply", () => {
    expect([
      targets.criticalityOf(key('quote', 'batch')),
      targets.criticalityOf(key('export', 'safety')),
      targets.criticalityOf(key('brake')),
      targets.criticalityOf(key('report-daily')),
      targets.criticalityOf(key('anything', 'unknown-context')),
      targets.criticalityOf(key('export', 'routine')),
    ]).toEqual(['SHEDDABLE', 'CRITICAL_PLUS', 'CRITICAL', 'CRITICAL', 'CRITICAL', 'CRITICAL']);
  });

  it('should put the class in the target, shared by the phases, and let a class the record path noted win', () => {
    const whole = key('quote');
    const phase = { ...whole, phase: 'execution' };
    const matched = key('GET /checkout');
    expect([targets.of(whole)?.criticality, targets.of(phase)?.criticality]).toEqual([
      'CRITICAL_PLUS',
      'CRITICAL_PLUS',
    ]);
    expect([targets.classOf(whole), targets.classOf(matched)]).toEqual(['CRITICAL_PLUS', 'CRITICAL']);
    targets.note(matched, 'SHEDDABLE');
    targets.note(whole, 'SHEDDABLE_PLUS');
    expect([targets.classOf(matched), targets.classOf(whole), targets.classOf(key('GET /checkout'))]).toEqual(
      [
        'SHEDDABLE',
        'SHEDDABLE_PLUS',
        'CRITICAL', // a note belongs to the series object it was made for
      ],
    );
  });

  it('should give an unjudged series its class too', () => {
    expect(targets.classOf(key('x', 'unknown-context'))).toBe('CRITICAL');
  });
});
