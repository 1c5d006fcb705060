import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import {
  type Agent,
  ATTR_BUDGET_CONTEXT,
  classifySpan,
  type ManualClock,
  type MatchableSpan,
  RuleMatcher,
  SeriesHandles,
} from '../../../agent/index.ts';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { configOf, testAgent } from '../../helpers/agent.ts';

const CONFIG: HeadroomConfigInput = {
  contexts: { payments: { budget: '100ms', criticality: 'CRITICAL_PLUS' } },
  criticality: {
    classes: { CRITICAL_PLUS: { budgetMultiplier: 0.5 }, SHEDDABLE: { budgetMultiplier: 2 } },
  },
  rules: [
    {
      match: { kind: 'server', attributes: { 'http.route': '/export' } },
      context: 'routine',
      criticality: 'SHEDDABLE',
    },
    { match: { kind: 'server', attributes: { 'http.route': '/pay' } }, context: 'payments' },
    { match: { spanName: 'recommend' }, context: 'routine', criticality: 'SHEDDABLE' },
  ],
};

const route = (name: string, httpRoute: string): MatchableSpan => ({
  name,
  kind: SpanKind.SERVER,
  attributes: { 'http.route': httpRoute },
});
const tracked = (name: string, context: string): MatchableSpan => ({
  name,
  kind: SpanKind.INTERNAL,
  attributes: { [ATTR_BUDGET_CONTEXT]: context },
});

/** 40 spans of each kind, `durationMs` long, classified and recorded as the span processor does. */
function feed(agent: Agent, clock: ManualClock, spans: readonly MatchableSpan[], durationMs: number) {
  const handles = new SeriesHandles(agent).of('shop');
  const rules = new RuleMatcher(agent.config.rules);
  for (const span of spans) {
    for (let i = 0; i < 40; i++)
      classifySpan(handles, span, 'app', rules)?.record(durationMs, false, clock.now());
  }
}

const budgets = (agent: Agent) =>
  Object.fromEntries(
    agent.tick().verdicts.map((v) => [`${v.series.operation} ${v.series.context}`, v.budgetMs]),
  );

describe('classifySpan: the class of a series', () => {
  it("should give the rule's class to the spans it matched, else its context's, and judge each series against its class's budget", () => {
    const { agent, clock } = testAgent(CONFIG);
    feed(
      agent,
      clock,
      [
        route('GET /export', '/export'),
        route('POST /pay', '/pay'),
        tracked('recommend', 'routine'),
        tracked('quote', 'routine'),
      ],
      10,
    );
    expect(budgets(agent)).toEqual({
      'GET /export routine': 400,
      'POST /pay payments': 50,
      'recommend routine': 400,
      'quote routine': 200,
    });
  });

  it('should hand the class of the matching rule to the handle, with its match', () => {
    const rules = new RuleMatcher(configOf(CONFIG).rules);
    expect([
      rules.match('shop', route('GET /export', '/export')),
      rules.match('shop', route('POST /pay', '/pay')),
    ]).toEqual([
      { context: 'routine', operation: undefined, criticality: 'SHEDDABLE' },
      { context: 'payments', operation: undefined, criticality: undefined },
    ]);
  });

  it('should judge against the classes of a reloaded configuration', () => {
    const { agent, clock } = testAgent(CONFIG);
    const spans = [route('GET /export', '/export'), tracked('recommend', 'routine')];
    feed(agent, clock, spans, 10);
    agent.reconfigure(
      configOf({
        ...CONFIG,
        criticality: {
          classes: { SHEDDABLE: { budgetMultiplier: 3 }, SHEDDABLE_PLUS: { budgetMultiplier: 1.5 } },
        },
        rules: [
          {
            match: { kind: 'server', attributes: { 'http.route': '/export' } },
            context: 'routine',
            criticality: 'SHEDDABLE_PLUS',
          },
        ],
      }),
    );
    feed(agent, clock, spans, 10);
    expect(budgets(agent)).toEqual({ 'GET /export routine': 300, 'recommend routine': 200 });
  });
});
