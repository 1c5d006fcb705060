import { describe, expect, it, vi } from 'vitest';
import { RuleMatcher } from '../../../agent/index.ts';
import { SpanIngest } from '../../../collector/receiver/span-ingest.ts';
import { ServiceDirectory } from '../../../collector/service-directory.ts';
import { testAgent } from '../../helpers/agent.ts';
import { decodedSpan, decodedTraces } from '../../helpers/spans.ts';
import { rejectedBy } from './span-outcomes.ts';

const QUOTE = { 'headroom.budget.context': 'emergency', 'headroom.operation': 'quote' };

function setup(enabled = true) {
  const { agent, clock } = testAgent({
    criticality: { classes: { SHEDDABLE: { budgetMultiplier: 2 } } },
    rules: [{ match: { spanName: 'GET /export' }, context: 'routine', criticality: 'SHEDDABLE' }],
    admission: { enabled },
  });
  const ingest = new SpanIngest({
    agent,
    rules: new RuleMatcher(agent.config.rules),
    directory: new ServiceDirectory(),
  });
  const record = vi.spyOn(agent.admission('checkout', 'shop'), 'record');
  const requested = vi.spyOn(agent.admission('checkout', 'shop'), 'requested');
  return { agent, clock, ingest, record, requested };
}

describe('SpanIngest: what admission learns', () => {
  it("should feed the sender's controller each whole operation in the span's class, and judge no rejected request", () => {
    const { agent, clock, ingest, record } = setup();
    const now = clock.now();
    const span = (durationMs: number, attributes: Record<string, string>, name = 'GET /quote') =>
      decodedSpan(now, durationMs, { name, attributes });
    const outcome = ingest.ingest(
      decodedTraces([
        span(100, QUOTE),
        span(100, { ...QUOTE, 'headroom.criticality': 'SHEDDABLE' }),
        span(100, { ...QUOTE, 'headroom.criticality': 'CRITICAL_PLUS' }),
        span(25, { ...QUOTE, 'headroom.criticality': 'critical' }),
        span(1, { ...QUOTE, 'headroom.admission.outcome': 'rejected' }),
        span(1, { ...QUOTE, 'headroom.criticality': 'SHEDDABLE', 'headroom.admission.outcome': 'rejected' }),
        span(400, {}, 'GET /export'),
        span(1, { 'headroom.admission.outcome': 'rejected' }, 'GET /export'),
        span(5, { ...QUOTE, 'headroom.phase': 'routing' }),
      ]),
    );
    expect(outcome).toEqual({ accepted: 9, rejected: 0, rejectedBy: rejectedBy(), retimed: 0, message: '' });
    expect(record.mock.calls).toEqual([
      ['CRITICAL', 2, now],
      ['SHEDDABLE', 1, now],
      ['CRITICAL_PLUS', 2, now],
      ['CRITICAL', 0.5, now],
      ['SHEDDABLE', 1, now],
    ]);
    expect(agent.registry.list().map((s) => [s.operation, s.phase, s.window.snapshot(now).count])).toEqual([
      ['quote', '', 4],
      ['quote', 'routing', 1],
      ['GET /export', '', 1],
    ]);
    expect(ingest.invalidCriticalities).toBe(1);
  });

  it('should tell the controller each class the spans name, judged or not, admitted or rejected, in the window (review16 M3)', () => {
    const { agent, clock, ingest, requested } = setup();
    const now = clock.now();
    const { lengthMs: windowMs } = agent.config.window;
    const span = (attributes: Record<string, string>, endMs = now, name = 'GET /report') =>
      decodedSpan(endMs, 10, { name, attributes });
    ingest.ingest(
      decodedTraces([
        span({ 'headroom.criticality': 'SHEDDABLE' }), // no budget: accepted, never judged
        span({ 'headroom.criticality': 'SHEDDABLE' }),
        span({ 'headroom.criticality': 'SHEDDABLE_PLUS', 'headroom.admission.outcome': 'rejected' }),
        span({ ...QUOTE, 'headroom.criticality': 'CRITICAL' }), // judged
        span({ 'headroom.criticality': 'CRITICAL_PLUS' }, now - 2 * windowMs), // before the window
        span({ 'headroom.criticality': 'sheddable' }), // not a class
        span({ 'headroom.criticality': 'CRITICAL_PLUS' }, now, 'headroom.admission'), // a decision's span
        span({}), // names none
      ]),
    );
    expect(requested.mock.calls).toEqual([
      ['SHEDDABLE', 2],
      ['SHEDDABLE_PLUS', 1],
      ['CRITICAL', 1],
    ]);
    // A second request adds to the counts; spans of another service go to its own controller.
    const other = vi.spyOn(agent.admission('billing', 'shop'), 'requested');
    ingest.ingest(decodedTraces([span({ 'headroom.criticality': 'SHEDDABLE' })], 'billing'));
    expect([requested.mock.calls.length, other.mock.calls]).toEqual([3, [['SHEDDABLE', 1]]]);
  });

  it('should tell no controller anything with admission disabled', () => {
    const { clock, ingest, requested } = setup(false);
    ingest.ingest(
      decodedTraces([decodedSpan(clock.now(), 10, { attributes: { 'headroom.criticality': 'SHEDDABLE' } })]),
    );
    expect(requested).not.toHaveBeenCalled();
  });

  it('should shed a class whose spans are never judged step by step, not pass it at once as empty', () => {
    // CRITICAL quotes at 1.5x the 50 ms emergency budget, and SHEDDABLE reports without a budget.
    // (Two ticks: at the third the service's degradation level is SEVERE, whose floor sheds
    // SHEDDABLE whole.) Without the reports' classes, SHEDDABLE would read as empty and be passed
    // at once, after CRITICAL's 4 s wait.
    const { agent, clock, ingest } = setup();
    const decisions = [];
    for (let t = 0; t < 2; t++) {
      const now = clock.now();
      const spans = Array.from({ length: 30 }, () => [
        decodedSpan(now, 75, { attributes: QUOTE }),
        decodedSpan(now, 10, { name: 'GET /report', attributes: { 'headroom.criticality': 'SHEDDABLE' } }),
      ]).flat();
      ingest.ingest(decodedTraces(spans));
      clock.advance(1000);
      decisions.push(...agent.tick().admissionDecisions);
    }
    expect(decisions.map((d) => [d.criticality, d.from, d.to, d.reason])).toEqual([
      ['SHEDDABLE', 0, 0.1, 'overload'],
      ['SHEDDABLE', 0.1, 0.2, 'overload'],
    ]);
  });
});
