import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it, vi } from 'vitest';
import { CardinalityLimits, HEADROOM_SCOPE, RuleMatcher } from '../../../agent/index.ts';
import { SpanIngest } from '../../../collector/receiver/span-ingest.ts';
import { ServiceDirectory } from '../../../collector/service-directory.ts';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { configOf, testAgent } from '../../helpers/agent.ts';
import { decodedSpan, decodedTraces } from '../../helpers/spans.ts';
import { rejectedBy } from './span-outcomes.ts';

function setup(input: HeadroomConfigInput = {}, directory = new ServiceDirectory()) {
  const { agent, clock } = testAgent(input);
  const ingest = new SpanIngest({ agent, rules: new RuleMatcher(agent.config.rules), directory });
  return { agent, clock, ingest, directory };
}

const span = decodedSpan;
const traces = decodedTraces;

describe('SpanIngest', () => {
  it("should record each span's own duration, error status and end time in its series", () => {
    const { agent, clock, ingest } = setup();
    const now = clock.now();
    const outcome = ingest.ingest(
      traces([span(now - 10, 30), span(now - 20, 70.5, { statusCode: 2 }), span(now, 0)]),
    );
    expect(outcome).toEqual({ accepted: 3, rejected: 0, rejectedBy: rejectedBy(), retimed: 0, message: '' });
    const [series] = agent.registry.list();
    expect(series).toMatchObject({
      service: 'checkout',
      operation: 'quote',
      context: 'emergency',
      phase: '',
    });
    const snapshot = series!.window.snapshot(now);
    expect([snapshot.count, snapshot.errorCount, snapshot.minMs]).toEqual([3, 1, 0]);
    expect(snapshot.maxMs).toBeCloseTo(70.5, 0);
    expect(series!.window.lastRecordMs).toBe(now);
  });

  it('should reject untrustworthy spans one by one and say why, in a fixed order', () => {
    const { agent, clock, ingest } = setup();
    const now = clock.now();
    const outcome = ingest.ingest(
      traces([
        span(now, 5),
        span(now, 5, { idsValid: false }),
        span(now, 5, { startTimeMs: 0 }),
        span(now, 5, { endTimeMs: 0, startTimeMs: now }),
        span(now - 10, -1),
        span(now + 60_000, 5),
        span(now + 59_999, 5),
        span(now, 5, { idsValid: false }),
      ]),
    );
    expect(outcome).toEqual({
      accepted: 2,
      rejected: 6,
      rejectedBy: rejectedBy({ invalid_id: 2, missing_time: 2, end_before_start: 1, future: 1 }),
      retimed: 0,
      message:
        'rejected 6 of 8 spans: 2 with an invalid trace or span id, 2 without start or end time, ' +
        "1 with end time before start time, 1 with end time one window (60s) or more ahead of the collector's clock",
    });
    // The span ending 59.999 s ahead leaves the present inside its series' window.
    expect(agent.registry.list()[0]?.window.snapshot(now + 59_999).count).toBe(2);
  });

  it('should classify spans without Headroom attributes through the rules and skip unmatched ones', () => {
    const { agent, clock, ingest } = setup({
      rules: [{ match: { kind: 'client', spanNamePattern: '^SELECT' }, context: 'routine', operation: 'db' }],
    });
    const now = clock.now();
    const outcome = ingest.ingest(
      traces([
        span(now, 3, { name: 'SELECT users', kind: SpanKind.CLIENT, attributes: {} }),
        span(now, 3, { name: 'SELECT users', kind: SpanKind.SERVER, attributes: {} }),
      ]),
    );
    expect(outcome.accepted).toBe(2);
    expect(agent.registry.list().map((s) => [s.operation, s.context])).toEqual([['db', 'routine']]);
  });

  it("should never judge Headroom's own decision spans by rules", () => {
    const { agent, clock, ingest } = setup({
      rules: [{ match: { spanNamePattern: '.' }, context: 'routine' }],
    });
    ingest.ingest(traces([span(clock.now(), 3, { attributes: {} })], 'checkout', HEADROOM_SCOPE));
    expect(agent.registry.size).toBe(0);
  });

  it('should note services with their namespace and reject spans of new services once the directory is full', () => {
    const { agent, clock, ingest, directory } = setup(
      {},
      new ServiceDirectory({ limits: new CardinalityLimits({ max: { service: 1 } }) }),
    );
    const now = clock.now();
    expect(ingest.ingest(traces([span(now, 1)], 'checkout')).rejected).toBe(0);
    expect(ingest.ingest(traces([span(now, 1), span(now, 2)], 'cart'))).toEqual({
      accepted: 0,
      rejected: 2,
      rejectedBy: rejectedBy({ service_limit: 2 }),
      retimed: 0,
      message:
        'rejected 2 of 2 spans: 2 from a new service or namespace while limits.services or limits.namespaces is reached',
    });
    expect(directory.list()).toEqual([{ service: 'checkout', namespace: 'shop', lastSeenMs: now }]);
    expect(agent.registry.list().map((s) => s.service)).toEqual(['checkout']);
  });

  it('should classify with the new rules after setRules', () => {
    const { agent, clock, ingest } = setup();
    ingest.setRules(
      new RuleMatcher(agent.config.rules.concat([{ match: { spanName: 'x' }, context: 'routine' }])),
    );
    ingest.ingest(traces([span(clock.now(), 1, { name: 'x', attributes: {} })]));
    expect(agent.registry.list().map((s) => [s.operation, s.context])).toEqual([['x', 'routine']]);
  });

  it('should judge a rule-matched series against the class of the rules in force, after setRules too', () => {
    const rule = (criticality: 'SHEDDABLE' | 'SHEDDABLE_PLUS') => ({
      match: { spanName: 'x' },
      context: 'routine',
      criticality,
    });
    const input = (criticality: 'SHEDDABLE' | 'SHEDDABLE_PLUS'): HeadroomConfigInput => ({
      criticality: {
        classes: { SHEDDABLE: { budgetMultiplier: 2 }, SHEDDABLE_PLUS: { budgetMultiplier: 1.5 } },
      },
      rules: [rule(criticality)],
    });
    const { agent, clock, ingest } = setup(input('SHEDDABLE'));
    const spans = () =>
      traces(Array.from({ length: 20 }, () => span(clock.now(), 1, { name: 'x', attributes: {} })));
    ingest.ingest(spans());
    const budget = () => agent.tick().verdicts.map((v) => [v.series.operation, v.budgetMs]);
    expect(budget()).toEqual([['x', 400]]);
    agent.reconfigure(configOf(input('SHEDDABLE_PLUS')));
    ingest.setRules(new RuleMatcher(agent.config.rules));
    ingest.ingest(spans());
    expect(budget()).toEqual([['x', 300]]);
  });
});

describe('SpanIngest series handles', () => {
  it('should bind one series handle per service and span target, kept across requests', () => {
    const { agent, clock, ingest } = setup({
      rules: [{ match: { spanName: 'GET /health' }, context: 'routine', operation: 'health' }],
    });
    const series = vi.spyOn(agent, 'series');
    const now = clock.now();
    const health = { name: 'GET /health', attributes: {} };
    for (let request = 0; request < 3; request++) {
      ingest.ingest(traces([span(now, 5), span(now, 6, health), span(now, 7)], 'checkout'));
      ingest.ingest(traces([span(now, 8)], 'cart'));
    }

    expect(series.mock.calls).toStrictEqual([
      [{ namespace: 'shop', service: 'checkout', operation: 'quote', context: 'emergency', phase: '' }],
      [{ namespace: 'shop', service: 'checkout', operation: 'health', context: 'routine', phase: '' }],
      [{ namespace: 'shop', service: 'cart', operation: 'quote', context: 'emergency', phase: '' }],
    ]);
    expect(agent.registry.list().map((s) => [s.service, s.operation, s.totals.count])).toStrictEqual([
      ['checkout', 'quote', 6],
      ['checkout', 'health', 3],
      ['cart', 'quote', 3],
    ]);
  });
});
