// review15g M3: a decision the flow drove (admitted against finished requests, where admit() runs
// here) carries that flow in its evidence, with the numbers of its message: a rise sized from the
// flow, the release of a drained backlog (`drained`) and a step back because easing let the backlog
// grow (`probe`). Issue 15: "every change of a class's rejection probability is a decision with its
// reason and evidence". The evidence reaches the audit log, the span attributes and the snapshot.
import { describe, expect, it } from 'vitest';
import { parseAdmissionSnapshot } from '../../../agent/admission/admission-snapshot.ts';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { admissionDecisionAttributes } from '../../../instrumentation/admission-spans.ts';
import { evenly, fifoPlant, setup } from './setup.ts';

/** A FIFO of 100 a second at 0.6x its capacity for 30 s, then at 3x for 120 s. */
function fifoOnset() {
  const harness = setup({}, evenly());
  const plant = fifoPlant(harness, 100);
  const decisions: AdmissionDecision[] = [];
  for (let s = 0; s < 30; s++) {
    plant.step({ CRITICAL_PLUS: 6, CRITICAL: 12, SHEDDABLE: 42 });
    decisions.push(...harness.controller.observe('NONE'));
  }
  for (let s = 0; s < 120; s++) {
    plant.step({ CRITICAL_PLUS: 30, CRITICAL: 60, SHEDDABLE: 210 });
    decisions.push(...harness.controller.observe('NONE'));
  }
  return { harness, decisions };
}

const bySeq = (decisions: readonly AdmissionDecision[], seq: number) => decisions.find((d) => d.seq === seq);

describe('the evidence of the decisions the flow drove (review15g M3)', () => {
  it('should give a rise sized from the flow the flow it was sized from, beside the latency', () => {
    const { decisions } = fifoOnset();
    const rise = bySeq(decisions, 3);
    expect([rise?.reason, rise?.criticality, rise?.from, rise?.to, rise?.message]).toEqual([
      'overload',
      'CRITICAL',
      0,
      0.441,
      'CRITICAL rejection 0% -> 44.1%: CRITICAL_PLUS p95 is 0.5x its budget (target 1x, 22 samples in 3s); the backlog grows (420 admitted, 220 finished in 3s; 200 waiting)',
    ]);
    expect(rise?.evidence).toEqual({
      criticality: 'CRITICAL_PLUS',
      percentile: 'p95',
      ratio: 0.5,
      thresholdRatio: 1,
      samples: 22,
      flow: { admitted: 420, finished: 220, waiting: 200, windowMs: 3000, reading: 'over-rate' },
    });
  });

  it('should give a drained release the flow alone, and a step back the backlog that grew', () => {
    const { decisions } = fifoOnset();
    const drained = bySeq(decisions, 7);
    expect([drained?.reason, drained?.criticality, drained?.message]).toEqual([
      'drained',
      'CRITICAL',
      'CRITICAL rejection 50% -> 0%: the backlog drained (179 admitted, 179 finished in 3s; 0 waiting): the share shed to drain it is released, down to pressure 0.977',
    ]);
    expect(drained?.evidence).toEqual({
      flow: { admitted: 179, finished: 179, waiting: 0, windowMs: 3000, reading: 'draining' },
    });
    const probe = bySeq(decisions, 9);
    expect([probe?.reason, probe?.criticality, probe?.message]).toEqual([
      'probe',
      'SHEDDABLE',
      'SHEDDABLE rejection 87.7% -> 97.7%: easing hurt, the backlog grows (305 admitted, 290 finished in 3s); back to pressure 0.977, easing waits 10s (30s in the band)',
    ]);
    expect(probe?.evidence).toEqual({
      flow: { admitted: 305, finished: 290, waiting: 15, windowMs: 3000, reading: 'over-rate' },
    });
  });

  it('should give every decision evidence that justifies its move', () => {
    const { decisions } = fifoOnset();
    // Each rise is over its threshold or rests on a flow that grows; each drained release on a flow
    // with nothing waiting; each step back on a backlog that grew; each recovery under its threshold.
    const justified = (d: AdmissionDecision): boolean => {
      const { ratio, thresholdRatio, flow } = d.evidence ?? {};
      const over = ratio !== undefined && thresholdRatio !== undefined && ratio > thresholdRatio;
      const grows = flow !== undefined && flow.admitted > flow.finished && flow.waiting > 0;
      if (d.reason === 'overload' || d.reason === 'probe') return over || grows;
      if (d.reason === 'drained') return flow?.waiting === 0;
      return ratio !== undefined && thresholdRatio !== undefined && ratio < thresholdRatio;
    };
    expect(decisions.map((d) => d.reason)).toEqual([
      ...['overload', 'overload', 'overload', 'overload', 'drained', 'drained', 'drained'],
      ...['recovery', 'probe', 'recovery', 'probe', 'recovery', 'probe', 'recovery', 'probe'],
    ]);
    expect(decisions.filter((d) => !justified(d)).map((d) => d.message)).toEqual([]);
  });

  it('should write the flow to the audit CSV and the span attributes, and keep it through a snapshot', () => {
    const { harness, decisions } = fifoOnset();
    const csv = harness.controller.auditLog.toCSV().split('\r\n');
    expect(csv[0]).toBe(
      'seq,at,namespace,service,criticality,from,to,reason,level,message,signal_criticality,percentile,ratio,threshold_ratio,samples,flow_admitted,flow_finished,flow_waiting,flow_window_ms,flow_reading',
    );
    const row = (d: AdmissionDecision | undefined) =>
      d === undefined
        ? ''
        : `${d.seq},${new Date(d.at).toISOString()},,checkout,${d.criticality},${d.from},${d.to},${d.reason},NONE,"${d.message}"`;
    const rise = bySeq(decisions, 3);
    expect(csv[3]).toBe(`${row(rise)},CRITICAL_PLUS,p95,0.5,1,22,420,220,200,3000,over-rate`);
    const drained = bySeq(decisions, 7);
    expect(csv[7]).toBe(`${row(drained)},,,,,,179,179,0,3000,draining`);
    if (drained === undefined) throw new Error('no decision 7');
    expect(admissionDecisionAttributes(drained)).toEqual({
      'headroom.criticality': 'CRITICAL',
      'headroom.admission.from': 0.5,
      'headroom.admission.to': 0,
      'headroom.admission.reason': 'drained',
      'headroom.admission.message': drained.message,
      'headroom.degradation.level': 'NONE',
      'headroom.admission.flow.admitted': 179,
      'headroom.admission.flow.finished': 179,
      'headroom.admission.flow.waiting': 0,
      'headroom.admission.flow.window': 3000,
      'headroom.admission.flow.reading': 'draining',
    });
    // A snapshot keeps each decision's evidence through JSON as it was.
    const snapshot = parseAdmissionSnapshot(JSON.parse(JSON.stringify(harness.controller.snapshot())));
    if (typeof snapshot === 'string') throw new Error(snapshot);
    expect(snapshot.decisions).toEqual(decisions);
  });

  it('should load a snapshot written before the flow evidence, its decisions as they were', () => {
    const latency = { criticality: 'CRITICAL', percentile: 'p95', ratio: 2, thresholdRatio: 1, samples: 30 };
    const old = {
      seq: 1,
      at: 1_000_000,
      namespace: '',
      service: 'x',
      criticality: 'SHEDDABLE',
      from: 0,
      to: 0.1,
      reason: 'overload',
      message: 'SHEDDABLE rejection 0% -> 10%: CRITICAL p95 is 2x its budget (target 1x, 30 samples in 3s)',
      evidence: latency,
      level: 'NONE',
    };
    const drained = { ...old, seq: 2, reason: 'drained', message: 'SHEDDABLE rejection 10% -> 0%' };
    const { evidence: _none, ...bare } = drained;
    const base = { version: 1, namespace: '', service: 'x', level: 'NONE', pressure: 0, seq: 2 };
    expect(parseAdmissionSnapshot({ ...base, decisions: [old, bare] })).toEqual({
      ...base,
      decisions: [old, bare],
    });
  });
});
