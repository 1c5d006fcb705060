import { type Attributes, diag, SpanKind } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HeadroomConfigInput } from '../../config/index.ts';
import type { EmbeddedHeadroom, HeadroomSpanProcessor } from '../../instrumentation/index.ts';
import { testHeadroom } from '../helpers/headroom.ts';

let running: EmbeddedHeadroom | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await running?.shutdown();
  running = undefined;
});

const CONFIG: HeadroomConfigInput = {
  contexts: { batch: { budget: '1s', criticality: 'SHEDDABLE' } },
  criticality: {
    classes: { SHEDDABLE: { budgetMultiplier: 2 }, SHEDDABLE_PLUS: { budgetMultiplier: 1.5 } },
  },
  rules: [
    {
      match: { kind: 'server', attributes: { 'http.route': '/export' } },
      context: 'routine',
      criticality: 'SHEDDABLE_PLUS',
    },
  ],
};

const QUOTE = { 'headroom.budget.context': 'emergency', 'headroom.budget.ms': 50 };

/** An embedded Headroom whose controller of `checkout` is spied on, and a way to end spans on its clock. */
function setup(config: HeadroomConfigInput = CONFIG) {
  const { headroom, clock } = testHeadroom(config);
  running = headroom;
  const record = vi.spyOn(headroom.agent.admission('checkout'), 'record');
  const tracer = headroom.tracerProvider!.getTracer('app');
  const endMs = clock.now();
  const end = (name: string, attributes: Attributes, durationMs: number, kind = SpanKind.INTERNAL) =>
    tracer.startSpan(name, { attributes, kind, startTime: endMs - durationMs }).end(endMs);
  const counts = () =>
    headroom.agent.registry.list().map((s) => [s.operation, s.phase, s.window.snapshot(endMs).count]);
  return { headroom, record, end, endMs, counts };
}

describe('HeadroomSpanProcessor: what admission learns', () => {
  it("should give the controller each judged whole operation's duration over the budget of the span's class, else the series'", () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const { headroom, record, end, endMs, counts } = setup();
    end('quote', QUOTE, 100); // CRITICAL, the series' class: 100 / 50
    end('quote', { ...QUOTE, 'headroom.criticality': 'SHEDDABLE' }, 100); // 100 / (50 x 2)
    end('quote', { ...QUOTE, 'headroom.criticality': 'sheddable' }, 25); // invalid: CRITICAL
    end('quote', { ...QUOTE, 'headroom.criticality': 7 }, 25); // invalid: CRITICAL
    end('report', { 'headroom.budget.context': 'batch', 'headroom.budget.ms': 1000 }, 500); // SHEDDABLE
    end('GET /export', { 'http.route': '/export' }, 300, SpanKind.SERVER); // the rule's SHEDDABLE_PLUS
    end(
      'routing',
      { 'headroom.operation': 'quote', 'headroom.budget.context': 'emergency', 'headroom.phase': 'routing' },
      9,
    );
    end('lost', { 'headroom.budget.context': 'nowhere' }, 5); // no target: not judged
    expect(record.mock.calls).toEqual([
      ['CRITICAL', 2, endMs],
      ['SHEDDABLE', 1, endMs],
      ['CRITICAL', 0.5, endMs],
      ['CRITICAL', 0.5, endMs],
      ['SHEDDABLE', 0.25, endMs],
      ['SHEDDABLE_PLUS', 1, endMs],
    ]);
    expect(counts()).toEqual([
      ['quote', '', 4],
      ['quote', 'routing', 1],
      ['report', '', 1],
      ['GET /export', '', 1],
      ['lost', '', 1],
    ]);
    expect((headroom.spanProcessor as HeadroomSpanProcessor).invalidCriticalities).toBe(2);
    expect(warn.mock.calls).toEqual([
      [
        'headroom: span attribute headroom.criticality "sheddable" is not a criticality class (CRITICAL_PLUS, CRITICAL, SHEDDABLE_PLUS, SHEDDABLE); such spans count in their series\' class (logged once, counted)',
      ],
    ]);
  });

  it('should never judge a span whose request admission rejected: no window, no verdict, no ratio', () => {
    const { headroom, record, end, counts } = setup();
    for (const criticality of ['SHEDDABLE', 'CRITICAL', undefined, 'bogus']) {
      const attributes = { ...QUOTE, 'headroom.admission.outcome': 'rejected' };
      end(
        'quote',
        criticality === undefined ? attributes : { ...attributes, 'headroom.criticality': criticality },
        1,
      );
      end(
        'GET /export',
        { 'http.route': '/export', 'headroom.admission.outcome': 'rejected' },
        1,
        SpanKind.SERVER,
      );
    }
    end('quote', { ...QUOTE, 'headroom.admission.outcome': 'admitted' }, 50);
    expect(record.mock.calls.map(([criticality, ratio]) => [criticality, ratio])).toEqual([['CRITICAL', 1]]);
    expect(counts()).toEqual([['quote', '', 1]]);
    expect((headroom.spanProcessor as HeadroomSpanProcessor).invalidCriticalities).toBe(0);
  });

  it('should feed no controller when admission is disabled', () => {
    const { record, end, counts } = setup({ ...CONFIG, admission: { enabled: false } });
    end('quote', QUOTE, 100);
    end('quote', { ...QUOTE, 'headroom.criticality': 'SHEDDABLE' }, 100);
    expect(record).not.toHaveBeenCalled();
    expect(counts()).toEqual([['quote', '', 2]]);
  });

  it('should compute each ratio with the load, modifiers and clamp of the moment the span ends', () => {
    const { headroom, record, end } = setup({
      ...CONFIG,
      adaptive: { modifiers: { sale: { factor: 3 } }, clamp: { min: 0.5, max: 4 } },
    });
    end('quote', { ...QUOTE, 'headroom.criticality': 'SHEDDABLE' }, 300); // 300 / (50 x 2)
    headroom.modifiers.set('sale');
    end('quote', { ...QUOTE, 'headroom.criticality': 'SHEDDABLE' }, 300); // 300 / (50 x min(4, 2 x 3))
    end('quote', QUOTE, 300); // 300 / (50 x 3)
    expect(record.mock.calls.map(([criticality, ratio]) => [criticality, ratio])).toEqual([
      ['SHEDDABLE', 3],
      ['SHEDDABLE', 1.5],
      ['CRITICAL', 2],
    ]);
  });
});
