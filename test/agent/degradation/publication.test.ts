import { channel, subscribe, unsubscribe } from 'node:diagnostics_channel';
import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DegradationDecision } from '../../../agent/degradation/index.ts';
import { DEGRADATION_DECISION_CHANNEL } from '../../../agent/semconv.ts';
import { setup } from './setup.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('DegradationManager publication', () => {
  it('should deliver each decision to every listener even when one throws, and report the throw', () => {
    const error = vi.spyOn(diag, 'error').mockImplementation(() => {});
    const { manager, ticks } = setup();
    const boom = new Error('listener bug');
    const received: DegradationDecision[] = [];
    manager.subscribe(() => {
      throw boom;
    });
    manager.subscribe((decision) => received.push(decision));
    const decisions = ticks(3, 80);
    expect(decisions).toHaveLength(1);
    expect(received).toEqual(decisions);
    expect(error.mock.calls).toEqual([
      ['headroom: a degradation listener threw on decision 1; ignored', boom],
    ]);
    expect(manager.level).toBe('SEVERE');
  });

  it('should stop delivering after unsubscribe, for that subscription only', () => {
    const { manager } = setup();
    const seen: number[] = [];
    const listener = (decision: DegradationDecision) => seen.push(decision.seq);
    const first = manager.subscribe(listener);
    manager.subscribe(listener); // the same function twice: two subscriptions
    manager.override('MINIMAL', 'one');
    first();
    first(); // idempotent
    manager.override('MODERATE', 'two');
    expect(seen).toEqual([1, 1, 2]);
  });

  it('should deliver a decision taken inside a listener after the current one, in seq order', () => {
    const { manager } = setup();
    const order: string[] = [];
    manager.subscribe((decision) => {
      order.push(`a${decision.seq}`);
      if (decision.seq === 1) manager.override('CRITICAL', 'listener reacts');
    });
    manager.subscribe((decision) => order.push(`b${decision.seq}`));
    manager.override('MINIMAL', 'start');
    expect(order).toEqual(['a1', 'b1', 'a2', 'b2']);
    expect(manager.level).toBe('CRITICAL');
  });

  it('should publish each decision on the diagnostics channel to its subscribers', () => {
    const { manager } = setup();
    const published: unknown[] = [];
    const onMessage = (message: unknown, name: string | symbol) => published.push([name, message]);
    subscribe(DEGRADATION_DECISION_CHANNEL, onMessage);
    try {
      const decision = manager.override('SEVERE', 'channel check');
      expect(published).toEqual([['headroom:degradation:decision', decision]]);
    } finally {
      unsubscribe(DEGRADATION_DECISION_CHANNEL, onMessage);
    }
  });

  it('should not even call publish on the channel when nobody subscribes', () => {
    const decisionChannel = channel(DEGRADATION_DECISION_CHANNEL);
    const publish = vi.spyOn(decisionChannel, 'publish');
    const { manager } = setup();
    manager.override('SEVERE', 'nobody listens');
    expect([decisionChannel.hasSubscribers, publish.mock.calls.length]).toEqual([false, 0]);
    const onMessage = () => {};
    decisionChannel.subscribe(onMessage); // proves the spy sits on the channel the manager uses
    manager.override('NONE', 'someone listens');
    decisionChannel.unsubscribe(onMessage);
    expect(publish.mock.calls.length).toBe(1);
  });
});
