import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { AlwaysOffSampler } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmbeddedHeadroom as Headroom } from '../../instrumentation/index.ts';
import { testHeadroom } from '../helpers/headroom.ts';

let running: Headroom | undefined;
function setup(...args: Parameters<typeof testHeadroom>) {
  const made = testHeadroom(...args);
  running = made.headroom;
  return made;
}
afterEach(async () => {
  await running?.shutdown();
  running = undefined;
});

function seriesCounts(headroom: Headroom, now: number) {
  return headroom.agent.registry
    .list()
    .map((s) => [s.operation, s.context, s.phase, s.window.snapshot(now).count] as const);
}

describe('track', () => {
  it('should return the result of a sync function and record a span with the budget attributes', () => {
    const { headroom, exporter } = setup();
    expect(headroom.track('quote', 'emergency', () => 42)).toBe(42);
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('quote');
    expect(span?.attributes).toEqual({
      'headroom.budget.context': 'emergency',
      'headroom.budget.ms': 50,
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('should resolve with the result of an async function and end the span after it settles', async () => {
    const { headroom, exporter } = setup();
    const pending = headroom.track('quote', 'routine', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return 'done';
    });
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    await expect(pending).resolves.toBe('done');
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['quote']);
  });

  it("should rethrow the user's error untouched, sync and async, and mark the span as an error", async () => {
    const { headroom, exporter } = setup();
    const error = new TypeError('card declined');
    expect(() =>
      headroom.track('charge', 'routine', () => {
        throw error;
      }),
    ).toThrow(error);
    const rejected = headroom.track('charge', 'routine', async () => Promise.reject(error));
    await expect(rejected).rejects.toBe(error);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => [s.status.code, s.status.message, s.events[0]?.name])).toEqual([
      [SpanStatusCode.ERROR, 'card declined', 'exception'],
      [SpanStatusCode.ERROR, 'card declined', 'exception'],
    ]);
  });

  it('should count every operation in its series, errors included', () => {
    const { headroom, clock } = setup();
    for (let i = 0; i < 5; i++) headroom.track('quote', 'emergency', () => i);
    expect(() =>
      headroom.track('quote', 'emergency', () => {
        throw new Error('x');
      }),
    ).toThrow();
    const [series] = headroom.agent.registry.list();
    const snapshot = series?.window.snapshot(Date.now());
    expect([series?.operation, series?.context, snapshot?.count, snapshot?.errorCount]).toEqual([
      'quote',
      'emergency',
      6,
      1,
    ]);
    expect(clock.now()).toBeGreaterThan(0);
  });

  it('should count operations whose traces are sampled out for export', () => {
    const { headroom, exporter } = setup({}, { sampler: new AlwaysOffSampler() });
    for (let i = 0; i < 10; i++) headroom.track('quote', 'emergency', () => i);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    expect(seriesCounts(headroom, Date.now())).toEqual([['quote', 'emergency', '', 10]]);
  });
});

describe('wrap', () => {
  it('should track every call and keep this, arguments and result', () => {
    const { headroom, exporter } = setup();
    const cart = {
      items: 3,
      total: headroom.wrap('cart-total', 'routine', function (this: { items: number }, price: number) {
        return this.items * price;
      }),
    };
    expect(cart.total(5)).toBe(15);
    expect(cart.total(2)).toBe(6);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['cart-total', 'cart-total']);
  });
});

describe('the operation handle', () => {
  it('should run phases as child spans judged against their share of the budget', async () => {
    const { headroom, exporter } = setup();
    const result = await headroom.track('checkout', 'routine', async (op) => {
      const route = op.phase('routing', () => 'eu-west');
      return op.phase('execution', async () => `${route}:ok`);
    });
    expect(result).toBe('eu-west:ok');
    const spans = exporter.getFinishedSpans();
    const parent = spans.find((s) => s.name === 'checkout');
    const phases = spans.filter((s) => s.name !== 'checkout');
    expect(
      phases.map((s) => [s.name, s.attributes['headroom.phase'], s.attributes['headroom.budget.ms']]),
    ).toEqual([
      ['routing', 'routing', 20],
      ['execution', 'execution', 140],
    ]);
    expect(phases.every((s) => s.parentSpanContext?.spanId === parent?.spanContext().spanId)).toBe(true);
    expect(seriesCounts(headroom, Date.now())).toEqual([
      ['checkout', 'routine', 'routing', 1],
      ['checkout', 'routine', 'execution', 1],
      ['checkout', 'routine', '', 1],
    ]);
  });

  it('should give a phase span its budget as the exact decimal the histogram bound has', () => {
    const { headroom, exporter } = setup({
      contexts: { lookup: { budget: '63ms', phases: { query: '70%', render: '10%' } } },
    });
    headroom.track('find', 'lookup', (op) => {
      op.phase('query', () => 1);
      op.phase('render', () => 2);
    });
    const phases = exporter.getFinishedSpans().filter((s) => s.name !== 'find');
    // 63 x 0.7 is 44.099999999999994 and 63 x 0.1 is 6.300000000000001 in binary.
    expect(phases.map((s) => [s.name, s.attributes['headroom.budget.ms']])).toEqual([
      ['query', 44.1],
      ['render', 6.3],
    ]);
    const bounds = headroom.agent.registry.list()[0]?.totals.boundsMs ?? [];
    expect([bounds.includes(44.1), bounds.includes(6.3)]).toEqual([true, true]);
  });

  it('should report the effective budget and the time remaining', () => {
    const { headroom } = setup();
    headroom.track('quote', 'deliberative', (op) => {
      expect(op.budgetMs()).toBe(1000);
      const remaining = op.remainingMs();
      expect(remaining).toBeLessThanOrEqual(1000);
      expect(remaining).toBeGreaterThan(900);
      expect([op.name, op.context]).toEqual(['quote', 'deliberative']);
    });
  });

  it('should abort the signal with a TimeoutError once budget x hardDeadlineFactor has passed on the clock', async () => {
    const { headroom, clock } = setup({ contexts: { tight: { budget: '5ms', hardDeadlineFactor: 2 } } });
    const seen: unknown[] = [];
    let signal: AbortSignal | undefined;
    const aborted = headroom.track('slow', 'tight', (op) => {
      signal = op.signal;
      seen.push(op.signal.aborted);
      return new Promise<unknown>((resolve) =>
        op.signal.addEventListener('abort', () => resolve(op.signal.reason)),
      );
    });
    clock.advance(5);
    seen.push(signal?.aborted);
    // The real microseconds between the span's start and the first read count as spent too.
    clock.advance(5);
    const reason = (await aborted) as Error;
    expect([seen, reason.name, reason.message]).toEqual([
      [false, false],
      'TimeoutError',
      'The operation was aborted due to timeout',
    ]);
  });
});

describe('spans from auto-instrumentation', () => {
  it('should judge spans that a YAML rule maps to a context, with the span’s own duration', () => {
    const { headroom } = setup({
      rules: [
        {
          match: { kind: 'server', attributes: { 'http.route': '/checkout' } },
          context: 'emergency',
          operation: 'POST /checkout',
        },
      ],
      evaluation: { minSamples: 5 },
    });
    const tracer = headroom.tracerProvider?.getTracer('@opentelemetry/instrumentation-http');
    const start = Date.now() - 500;
    for (let i = 0; i < 10; i++) {
      const span = tracer?.startSpan('POST', {
        kind: SpanKind.SERVER,
        startTime: start + i,
        attributes: { 'http.route': '/checkout', 'http.request.method': 'POST' },
      });
      span?.end(start + i + 80);
      tracer?.startSpan('GET', { kind: SpanKind.SERVER, attributes: { 'http.route': '/health' } }).end();
    }
    const [verdict] = headroom.tick().verdicts;
    expect(verdict?.series).toEqual({
      namespace: '',
      service: 'checkout',
      operation: 'POST /checkout',
      context: 'emergency',
      phase: '',
    });
    expect(verdict?.status).toBe('violated');
    expect(verdict?.samples).toBe(10);
    expect(verdict?.observedMs).toBeCloseTo(80, 0);
  });
});

describe('decisions in traces', () => {
  it('should emit each degradation decision as a span event', () => {
    const { headroom, exporter } = setup({
      degradation: { levels: { moderate: { disable: ['personalization'] } } },
    });
    headroom.override('MODERATE', 'load test');
    const span = exporter.getFinishedSpans().find((s) => s.name === 'headroom.degradation');
    expect(span?.events.map((e) => [e.name, e.attributes])).toEqual([
      [
        'headroom.degradation.decision',
        {
          'headroom.degradation.from': 'NONE',
          'headroom.degradation.to': 'MODERATE',
          'headroom.degradation.reason': 'manual-override',
          'headroom.degradation.message': headroom.auditLog.entries()[0]?.message,
          'headroom.degradation.disabled_features': ['personalization'],
        },
      ],
    ]);
    expect(headroom.features.enabled('personalization')).toBe(false);
    expect(headroom.level).toBe('MODERATE');
  });
});

describe('disabled', () => {
  it('should run functions without spans or samples when OTEL_SDK_DISABLED=true', () => {
    const { headroom, exporter } = setup({}, { env: { OTEL_SDK_DISABLED: 'true' } });
    expect(headroom.track('quote', 'emergency', () => 7)).toBe(7);
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(headroom.agent.registry.list()).toEqual([]);
    expect(headroom.tracerProvider).toBeUndefined();
  });
});

describe('an operation in an unknown context', () => {
  it('should still run and be traced, with no budget and a signal that never fires', () => {
    const { headroom, exporter } = setup();
    const seen = headroom.track('quote', 'urgent', (op) => [op.budgetMs(), op.signal.aborted]);
    expect(seen).toEqual([Number.POSITIVE_INFINITY, false]);
    expect(exporter.getFinishedSpans()[0]?.attributes).toEqual({
      'headroom.budget.context': 'urgent',
    });
    expect(headroom.tick().verdicts).toEqual([]);
  });
});

describe('spans over budget', () => {
  it('should get a headroom.budget.exceeded event with the effective budget, and others none', () => {
    const { headroom, exporter } = setup();
    const tracer = headroom.tracerProvider?.getTracer('headroom-otel');
    const attributes = { 'headroom.budget.context': 'emergency', 'headroom.budget.ms': 50 };
    const start = Date.now() - 1000;
    tracer?.startSpan('slow', { attributes, startTime: start }).end(start + 80);
    tracer?.startSpan('fast', { attributes, startTime: start }).end(start + 30);
    const events = Object.fromEntries(
      exporter.getFinishedSpans().map((s) => [s.name, s.events.map((e) => [e.name, e.attributes])]),
    );
    expect(events).toEqual({
      slow: [
        [
          'headroom.budget.exceeded',
          { 'headroom.budget.ms': 50, 'headroom.duration_ms': 80, 'headroom.budget.ratio': 1.6 },
        ],
      ],
      fast: [],
    });
  });

  it("should judge a tracked operation against its class's budget: the rule naming it, else its context's", () => {
    const { headroom, exporter } = setup({
      contexts: { batch: { budget: '100ms', criticality: 'SHEDDABLE' } },
      rules: [{ match: { spanName: 'brake' }, context: 'emergency', criticality: 'CRITICAL_PLUS' }],
      criticality: {
        classes: { CRITICAL_PLUS: { budgetMultiplier: 0.5 }, SHEDDABLE: { budgetMultiplier: 2 } },
      },
    });
    const budgets = [
      headroom.track('brake', 'emergency', (op) => op.budgetMs()),
      headroom.track('quote', 'emergency', (op) => op.budgetMs()),
      headroom.track('export', 'batch', (op) => op.budgetMs()),
    ];
    expect(budgets).toEqual([25, 50, 200]);
    const tracer = headroom.tracerProvider?.getTracer('headroom-otel');
    const start = Date.now() - 1000;
    for (const [name, context, baseMs] of [
      ['brake', 'emergency', 50],
      ['quote', 'emergency', 50],
      ['export', 'batch', 100],
    ] as const) {
      const attributes = { 'headroom.budget.context': context, 'headroom.budget.ms': baseMs };
      tracer?.startSpan(name, { attributes, startTime: start }).end(start + 150);
    }
    const events = exporter
      .getFinishedSpans()
      .filter((s) => s.events.length > 0)
      .map((s) => [s.name, s.events.map((e) => e.attributes?.['headroom.budget.ms'])]);
    expect(events).toEqual([
      ['brake', [25]],
      ['quote', [50]],
    ]);
  });
});
