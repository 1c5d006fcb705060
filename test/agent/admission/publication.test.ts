import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { AdmissionController } from '../../../agent/admission/admission-controller.ts';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { ManualClock } from '../../../agent/clock.ts';
import { ADMISSION_DECISION_CHANNEL } from '../../../agent/semconv.ts';
import { admissionConfig, setup } from './setup.ts';

describe('AdmissionController with low traffic', () => {
  it('should decide nothing with fewer than minSamples in ten windows, whatever the ratio', () => {
    // One sample of each class every other second: 15 of each in 30 s (ten 3 s windows), under the
    // 20 needed, for 5 minutes at 10x.
    const { tick } = setup();
    for (let i = 0; i < 300; i++) expect(tick({ CRITICAL: 10, SHEDDABLE: 0.5 }, 'NONE', i % 2)).toEqual([]);
  });

  it('should read back whole windows where the window alone is short (review15f H3)', () => {
    // 9 samples a second: 18 in the 3 s window, under the 20 needed; two windows hold them (the
    // ring keeps samples from the first tick short of them). The steps are halved (a step shows
    // in a window twice as long), and shedding a class that is not slow eases as ineffective.
    const { tick, brief } = setup();
    const decisions = Array.from({ length: 30 }, () =>
      tick({ CRITICAL: 10, SHEDDABLE: 0.5 }, 'NONE', 9),
    ).flat();
    const rises = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45];
    const eases = [0.45, 0.35, 0.25, 0.15, 0.05, 0];
    expect(brief(decisions)).toEqual([
      ...rises.slice(1).map((to, i) => [4 + i, 'SHEDDABLE', rises[i], to, 'overload']),
      ...eases.slice(1).map((to, i) => [18 + i, 'SHEDDABLE', eases[i], to, 'ineffective']),
    ]);
    expect(
      decisions.map((d) => d.message.match(/\(target 1x, [^)]*\)|\([0-9]+ samples in [^)]*\)/)?.[0]),
    ).toEqual([
      '(target 1x, 27 samples in 6s)',
      '(target 1x, 36 samples in 6s)',
      ...Array(7).fill('(target 1x, 45 samples in 6s)'),
      ...Array(5).fill('(45 samples in 6s)'),
    ]);
  });

  it('should move at exactly minSamples, not one below', () => {
    const below = setup({ minSamples: 25 });
    expect(below.tick({ CRITICAL: 2, SHEDDABLE: 0.5 }, 'NONE', 24)).toEqual([]);
    const at = setup({ minSamples: 25 });
    expect(at.tick({ CRITICAL: 2, SHEDDABLE: 0.5 }, 'NONE', 25).map((d) => d.evidence?.samples)).toEqual([
      25,
    ]);
  });

  it('should drop NaN, negative and infinite ratios and end times outside the window, without throwing', () => {
    const { controller, clock, tick } = setup();
    const now = clock.now();
    for (let i = 0; i < 30; i++) {
      controller.record('CRITICAL', Number.NaN, now);
      controller.record('CRITICAL', -1, now);
      controller.record('CRITICAL', Number.POSITIVE_INFINITY, now);
      controller.record('CRITICAL', 5, now - 3000);
      controller.record('CRITICAL', 5, now + 60_000);
      controller.record('CRITICAL', 5, Number.NaN);
      controller.record('CRITICAL', 5, Number.POSITIVE_INFINITY);
      controller.record('BULK' as 'CRITICAL', 5, now);
    }
    expect(tick()).toEqual([]);
    // The neighbours are taken: ratio 0, one slot ahead of now, and the oldest end time still in
    // the window (which has left it by the tick, a second later: 20 samples count).
    for (let i = 0; i < 10; i++) {
      controller.record('CRITICAL', 0, clock.now());
      controller.record('CRITICAL', 5, clock.now() - 2999);
      controller.record('CRITICAL', 5, clock.now() + 1000);
    }
    // CRITICAL judges shedding the SHEDDABLE traffic at once.
    const evidence = { criticality: 'CRITICAL', percentile: 'p95', ratio: 5, thresholdRatio: 1, samples: 20 };
    expect(tick({ SHEDDABLE: 0.5 }).map((d) => [d.criticality, d.to, d.evidence])).toEqual([
      ['SHEDDABLE', 0.1, evidence],
    ]);
  });
});

describe('AdmissionController publication', () => {
  it('should deliver each decision to listeners and the diagnostics channel, in seq order, and isolate a throwing listener', () => {
    // SHEDDABLE_PLUS capped at 100 %: entered at once past the SEVERE floor (a class capped under
    // 1 waits a step delay first: review15b N2).
    const { controller, tick } = setup({ maxRejection: { SHEDDABLE_PLUS: '100%' } });
    const heard: number[] = [];
    const published: AdmissionDecision[] = [];
    const onMessage = (message: unknown) => published.push(message as AdmissionDecision);
    controller.subscribe(() => {
      throw new Error('listener bug');
    });
    const unsubscribeListener = controller.subscribe((d) => heard.push(d.seq));
    subscribe(ADMISSION_DECISION_CHANNEL, onMessage);
    try {
      const decisions = tick({ CRITICAL: 2, SHEDDABLE_PLUS: 0.5 }, 'SEVERE');
      expect(heard).toEqual([1, 2]);
      expect(published).toEqual(decisions);
      unsubscribeListener();
      tick({ CRITICAL: 2, SHEDDABLE_PLUS: 0.5 }, 'SEVERE');
      expect(heard).toEqual([1, 2]);
      expect(published.map((d) => d.seq)).toEqual([1, 2, 3]);
    } finally {
      unsubscribe(ADMISSION_DECISION_CHANNEL, onMessage);
    }
  });

  it('should keep the last decisions in a bounded audit log with JSON and CSV renderings', () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 30, 12, 0, 0));
    const controller = new AdmissionController({
      config: admissionConfig({
        maxRejection: { SHEDDABLE_PLUS: '100%' },
        levels: { critical: { minRejection: { SHEDDABLE_PLUS: '50%' } } },
      }),
      clock,
      service: 'checkout',
      namespace: 'shop',
      auditLogSize: 2,
    });
    // SEVERE floors SHEDDABLE (seq 1), CRITICAL half of SHEDDABLE_PLUS (seq 2); with CRITICAL at
    // 2x the first overload step starts from the floors and sheds SHEDDABLE_PLUS 10 % more (seq 3).
    clock.advance(1000);
    controller.observe('SEVERE');
    clock.advance(1000);
    controller.observe('CRITICAL');
    for (let i = 0; i < 30; i++) {
      controller.record('CRITICAL', 2, clock.now());
      controller.record('SHEDDABLE_PLUS', 0.5, clock.now());
    }
    clock.advance(1000);
    controller.observe('CRITICAL');
    const log = controller.auditLog;
    expect([log.size, log.capacity]).toEqual([2, 2]);
    expect(log.toJSON().map((d) => d.seq)).toEqual([2, 3]);
    expect(controller.state().lastDecision).toBe(log.entries()[1]);
    expect(log.toCSV()).toBe(
      [
        'seq,at,namespace,service,criticality,from,to,reason,level,message,signal_criticality,percentile,ratio,threshold_ratio,samples,flow_admitted,flow_finished,flow_waiting,flow_window_ms,flow_reading',
        '2,2026-11-30T12:00:02.000Z,shop,checkout,SHEDDABLE_PLUS,0,0.5,degradation-level,CRITICAL,"SHEDDABLE_PLUS rejection 0% -> 50%: degradation level SEVERE -> CRITICAL (floor 50%, cap 100%)",,,,,,,,,,',
        '3,2026-11-30T12:00:03.000Z,shop,checkout,SHEDDABLE_PLUS,0.5,0.6,overload,CRITICAL,"SHEDDABLE_PLUS rejection 50% -> 60%: CRITICAL p95 is 2x its budget (target 1x, 30 samples in 3s)",CRITICAL,p95,2,1,30,,,,,',
        '',
      ].join('\r\n'),
    );
  });

  it('should state every class with the pressure', () => {
    // The 4x queueing overload of overload.test.ts: SHEDDABLE 100 % after 10 s, SHEDDABLE_PLUS
    // from second 19 (once the ratio has stopped falling for a step delay): 30 % at second 21.
    const { controller, run } = setup();
    run(21, { CRITICAL: 200, SHEDDABLE_PLUS: 100, SHEDDABLE: 100 });
    const { lastDecision, ...state } = controller.state();
    expect(lastDecision?.seq).toBe(13);
    expect(state).toEqual({
      namespace: '',
      service: 'checkout',
      enabled: true,
      pressure: 1.3,
      classes: {
        CRITICAL_PLUS: { probability: 0, maxProbability: 0, minProbability: 0, admitted: 0, rejected: 0 },
        CRITICAL: { probability: 0, maxProbability: 0.5, minProbability: 0, admitted: 0, rejected: 0 },
        SHEDDABLE_PLUS: {
          probability: 0.3,
          maxProbability: 0.9,
          minProbability: 0,
          admitted: 0,
          rejected: 0,
        },
        SHEDDABLE: { probability: 1, maxProbability: 1, minProbability: 0, admitted: 0, rejected: 0 },
      },
    });
  });

  it('should survive a failing tick or reload: reported, nothing decided, nothing thrown', () => {
    let broken = false;
    const clock = new ManualClock();
    const now = clock.now.bind(clock);
    clock.now = () => {
      if (broken) throw new Error('clock gone');
      return now();
    };
    const controller = new AdmissionController({ config: admissionConfig(), clock });
    expect(controller.id).toEqual({ namespace: '', service: 'unknown_service:node' });
    broken = true;
    expect(controller.observe('NONE')).toEqual([]);
    broken = false;
    expect(controller.reconfigure(null as unknown as ReturnType<typeof admissionConfig>)).toEqual([]);
    expect(controller.probability('BULK' as 'CRITICAL')).toBe(0);
    expect(controller.state().enabled).toBe(true);
  });
});
