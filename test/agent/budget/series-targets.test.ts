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
