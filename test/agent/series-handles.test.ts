import { describe, expect, it } from 'vitest';
import { type Recorder, type SeriesHandle, SeriesHandles, type SeriesNames } from '../../agent/index.ts';
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

  it('should let a held service serve its handles after starting over, until its next bind empties it', () => {
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
    expect(a.handle('op', 'routine', '')).toBe(first); // still valid: handles follow their series
    a.handle('new', 'routine', ''); // a's first bind since: emptied, attached, counted
    expect(a.handle('op', 'routine', '')).not.toBe(first);
    expect(handles.size).toBe(3);
    expect(handles.of('a')).toBe(a);
    expect(handles.of('b')).toBe(b);
    expect(bound.map((n) => `${n.service}/${n.operation}`)).toStrictEqual([
      'a/op',
      'b/op',
      'b/x',
      'b/other',
      'a/new',
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
});
