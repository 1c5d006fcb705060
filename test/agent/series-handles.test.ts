import { describe, expect, it } from 'vitest';
import {
  type Recorder,
  releaseOnEviction,
  type SeriesHandle,
  SeriesHandles,
  type SeriesNames,
} from '../../agent/index.ts';
import { testAgent } from '../helpers/agent.ts';

/** A recorder that lists the names of every handle bound; its handles record nothing. */
function bindingRecorder() {
  const bound: SeriesNames[] = [];
  const recorder: Recorder = {
    series: (names) => {
      bound.push(names);
      return { record: () => {} };
    },
  };
  return { recorder, bound };
}

describe('SeriesHandles', () => {
  it('should bind each (namespace, service, operation, context, phase) once and hand back the same handle', () => {
    const { recorder, bound } = bindingRecorder();
    const handles = new SeriesHandles(recorder);
    const checkout = handles.of('checkout', 'shop');

    const quote = checkout.handle('quote', 'routine', '');
    const routing = checkout.handle('quote', 'routine', 'routing');
    expect(checkout.handle('quote', 'routine', '')).toBe(quote);
    expect(handles.of('checkout', 'shop').handle('quote', 'routine', 'routing')).toBe(routing);
    expect(checkout.handle('quote', 'emergency', '')).not.toBe(quote);
    expect(handles.of('checkout').handle('quote', 'routine', '')).not.toBe(quote);
    expect(handles.of('checkout', 'shop')).toBe(checkout);

    expect(bound).toStrictEqual([
      { namespace: 'shop', service: 'checkout', operation: 'quote', context: 'routine', phase: '' },
      { namespace: 'shop', service: 'checkout', operation: 'quote', context: 'routine', phase: 'routing' },
      { namespace: 'shop', service: 'checkout', operation: 'quote', context: 'emergency', phase: '' },
      { namespace: '', service: 'checkout', operation: 'quote', context: 'routine', phase: '' },
    ]);
    expect(handles.size).toBe(4);
  });

  it('should start over past maxHandles, so endless names keep memory bounded', () => {
    const { recorder, bound } = bindingRecorder();
    const handles = new SeriesHandles(recorder, { maxHandles: 100 });
    const service = handles.of('svc');
    let largest = 0;
    for (let i = 0; i < 10_000; i++) {
      service.handle(`op-${i}`, 'routine', '');
      largest = Math.max(largest, handles.size);
    }
    expect([bound.length, largest, handles.size]).toStrictEqual([10_000, 100, 100]);
  });

  it('should empty a held service when the cache starts over, binding its handles again', () => {
    const { recorder, bound } = bindingRecorder();
    const handles = new SeriesHandles(recorder, { maxHandles: 3 });
    const a = handles.of('a');
    const b = handles.of('b');
    const first = a.handle('op', 'routine', '');
    b.handle('op', 'routine', '');
    b.handle('x', 'routine', '');

    const other = b.handle('other', 'routine', ''); // full: starts over, b emptied and attached again
    expect(handles.size).toBe(1);
    expect(b.handle('other', 'routine', '')).toBe(other);
    const again = a.handle('op', 'routine', ''); // a held `first`: emptied, bound again
    expect(again).not.toBe(first);
    expect(a.handle('op', 'routine', '')).toBe(again);
    expect(handles.size).toBe(2);
    expect(handles.of('a')).toBe(a);
    expect(handles.of('b')).toBe(b);
    expect(bound.map((n) => `${n.service}/${n.operation}`)).toStrictEqual([
      'a/op',
      'b/op',
      'b/x',
      'b/other',
      'a/op',
    ]);
  });

  it("should give handles that record into the agent's series", () => {
    const { agent, clock } = testAgent();
    const handles = new SeriesHandles(agent);
    const handle: SeriesHandle = handles.of('checkout', 'shop').handle('quote', 'routine', 'routing');
    handle.record(12, true, clock.now());

    expect(
      agent.registry
        .list()
        .map((s) => [
          s.namespace,
          s.service,
          s.operation,
          s.context,
          s.phase,
          s.totals.count,
          s.totals.errorCount,
        ]),
    ).toStrictEqual([['shop', 'checkout', 'quote', 'routine', 'routing', 1, 1]]);
  });

  it('should start over after a tick that evicted series, so no kept handle holds an evicted series', () => {
    const { agent, clock } = testAgent({ limits: { idleTime: '2m' } });
    const handles = new SeriesHandles(agent);
    releaseOnEviction(handles, agent);
    const service = handles.of('checkout');
    const quote = service.handle('quote', 'routine', '');
    quote.record(10, false, clock.now());
    clock.advance(60_000);
    service.handle('refund', 'routine', '').record(10, false, clock.now());
    agent.tick(); // evicts nothing: the handles stay
    expect([handles.size, service.handle('quote', 'routine', '')]).toStrictEqual([2, quote]);

    clock.advance(60_000);
    agent.tick(); // evicts quote
    expect([agent.health().seriesEvicted, handles.size]).toStrictEqual([1, 0]);
    const rebound = service.handle('quote', 'routine', '');
    expect(rebound).not.toBe(quote);
    rebound.record(20, false, clock.now());
    expect(agent.registry.list().map((s) => [s.operation, s.totals.count])).toStrictEqual([
      ['refund', 1],
      ['quote', 1],
    ]);
  });
});
