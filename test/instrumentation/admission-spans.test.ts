import { diag } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AdmissionDecision, AdmissionListener } from '../../agent/index.ts';
import {
  admissionDecisionAttributes,
  traceAdmissionDecisions,
} from '../../instrumentation/admission-spans.ts';
import { testHeadroom } from '../helpers/headroom.ts';

const OVERLOAD: AdmissionDecision = Object.freeze<AdmissionDecision>({
  seq: 3,
  at: 1_700_000_000_000,
  namespace: 'payments',
  service: 'checkout',
  criticality: 'SHEDDABLE',
  from: 0.1,
  to: 0.2,
  reason: 'overload',
  message: 'SHEDDABLE rejection 10% -> 20%: CRITICAL p95 at 1.6x its budget (target 1x, 40 samples)',
  evidence: { criticality: 'CRITICAL', percentile: 'p95', ratio: 1.6, thresholdRatio: 1, samples: 40 },
  level: 'MINIMAL',
});

const LEVEL: AdmissionDecision = Object.freeze<AdmissionDecision>({
  seq: 4,
  at: 1_700_000_001_000,
  namespace: '',
  service: 'checkout',
  criticality: 'SHEDDABLE',
  from: 0.2,
  to: 1,
  reason: 'degradation-level',
  message: 'SHEDDABLE rejection 20% -> 100%: the floor at SEVERE',
  level: 'SEVERE',
});

/** A subscription point like agent.onAdmissionDecision, driven by the test. */
function decisions() {
  const listeners = new Set<AdmissionListener>();
  return {
    subscribe: (listener: AdmissionListener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit: (decision: AdmissionDecision) => {
      for (const listener of listeners) listener(decision);
    },
    get size() {
      return listeners.size;
    },
  };
}

function tracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  return { exporter, tracer: provider.getTracer('headroom-otel') };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('admission decisions in traces', () => {
  it('should emit each decision as a headroom.admission span with one event holding it and its evidence', () => {
    const { exporter, tracer } = tracing();
    const source = decisions();
    traceAdmissionDecisions(source.subscribe, tracer);
    source.emit(OVERLOAD);
    source.emit(LEVEL);
    const spans = exporter.getFinishedSpans();
    expect(
      spans.map((span) => [span.name, span.attributes, span.events.map((e) => [e.name, e.attributes])]),
    ).toEqual([
      [
        'headroom.admission',
        { 'headroom.criticality': 'SHEDDABLE', 'headroom.admission.to': 0.2 },
        [
          [
            'headroom.admission.decision',
            {
              'headroom.criticality': 'SHEDDABLE',
              'headroom.admission.from': 0.1,
              'headroom.admission.to': 0.2,
              'headroom.admission.reason': 'overload',
              'headroom.admission.message': OVERLOAD.message,
              'headroom.degradation.level': 'MINIMAL',
              'headroom.admission.protected_criticality': 'CRITICAL',
              'headroom.budget.percentile': 'p95',
              'headroom.budget.ratio': 1.6,
              'headroom.admission.threshold_ratio': 1,
              'headroom.admission.sample_count': 40,
            },
          ],
        ],
      ],
      [
        'headroom.admission',
        { 'headroom.criticality': 'SHEDDABLE', 'headroom.admission.to': 1 },
        [
          [
            'headroom.admission.decision',
            {
              'headroom.criticality': 'SHEDDABLE',
              'headroom.admission.from': 0.2,
              'headroom.admission.to': 1,
              'headroom.admission.reason': 'degradation-level',
              'headroom.admission.message': LEVEL.message,
              'headroom.degradation.level': 'SEVERE',
            },
          ],
        ],
      ],
    ]);
    expect(admissionDecisionAttributes(LEVEL)).toEqual(spans[1]?.events[0]?.attributes);
  });

  it('should stop tracing once unsubscribed', () => {
    const { exporter, tracer } = tracing();
    const source = decisions();
    const stop = traceAdmissionDecisions(source.subscribe, tracer);
    stop();
    source.emit(OVERLOAD);
    expect([source.size, exporter.getFinishedSpans()]).toEqual([0, []]);
  });

  it('should log a tracer that throws and never throw into the agent', () => {
    const errors = vi.spyOn(diag, 'error').mockImplementation(() => {});
    const failure = new Error('tracer broke');
    const tracer = tracing().tracer;
    vi.spyOn(tracer, 'startSpan').mockImplementation(() => {
      throw failure;
    });
    const source = decisions();
    traceAdmissionDecisions(source.subscribe, tracer);
    expect(() => source.emit(OVERLOAD)).not.toThrow();
    expect(errors.mock.calls).toEqual([['headroom: could not trace an admission decision', failure]]);
  });
});

describe('admission decisions of an embedded service', () => {
  it("should trace each decision of the service's own controller as a headroom.admission span", async () => {
    const { headroom, exporter } = testHeadroom();
    headroom.override('SEVERE', 'incident 15');
    const [decision] = headroom.tick().admissionDecisions;
    const spans = exporter.getFinishedSpans().filter((span) => span.name === 'headroom.admission');
    expect(spans.map((span) => [span.attributes, span.events.map((e) => [e.name, e.attributes])])).toEqual([
      [
        { 'headroom.criticality': 'SHEDDABLE', 'headroom.admission.to': 1 },
        [
          [
            'headroom.admission.decision',
            {
              'headroom.criticality': 'SHEDDABLE',
              'headroom.admission.from': 0,
              'headroom.admission.to': 1,
              'headroom.admission.reason': 'degradation-level',
              'headroom.admission.message':
                'SHEDDABLE rejection 0% -> 100%: degradation level NONE -> SEVERE (floor 100%, cap 100%)',
              'headroom.degradation.level': 'SEVERE',
            },
          ],
        ],
      ],
    ]);
    expect(decision?.message).toBe(spans[0]?.events[0]?.attributes?.['headroom.admission.message']);
    await headroom.shutdown();
  });
});
