import { describe, expect, it } from 'vitest';
import { type Channel, Outbox } from '../../../agent/index.ts';

/** A channel whose backlog the test fills and drains. */
function channel() {
  const sent: unknown[] = [];
  const waiting: ((error: Error | null) => void)[] = [];
  const state = { full: false, throws: false };
  const end: Channel = {
    send(message, done) {
      if (state.throws) throw new Error('ERR_IPC_CHANNEL_CLOSED');
      sent.push(message);
      waiting.push(done);
      return !state.full;
    },
  };
  const drain = (error: Error | null = null) => {
    for (const done of waiting.splice(0)) done(error);
  };
  return { end, sent, state, drain };
}

describe('Outbox', () => {
  it('should hold messages while the backlog is full and send only the latest state once drained', () => {
    const { end, sent, state, drain } = channel();
    const outbox = new Outbox(end);
    state.full = true;
    expect(outbox.send({ n: 1 })).toBe(true);
    expect([outbox.ready, outbox.send({ n: 2 })]).toEqual([false, false]);
    outbox.sendLatest({ n: 3 });
    outbox.sendLatest({ n: 4 });
    expect(sent).toEqual([{ n: 1 }]);
    state.full = false;
    drain();
    expect(sent).toEqual([{ n: 1 }, { n: 4 }]);
    expect(outbox.ready).toBe(true);
  });

  it('should count a message the closed channel refused and take nothing more, without throwing', () => {
    const { end, sent, state, drain } = channel();
    const outbox = new Outbox(end);
    outbox.send({ n: 1 });
    drain(new Error('channel closed'));
    expect([outbox.ready, outbox.failed, outbox.send({ n: 2 })]).toEqual([false, 1, false]);
    outbox.sendLatest({ n: 3 });
    const throwing = new Outbox(end);
    state.throws = true;
    expect(throwing.send({ n: 4 })).toBe(false);
    expect([throwing.failed, sent]).toEqual([1, [{ n: 1 }]]);
  });
});
