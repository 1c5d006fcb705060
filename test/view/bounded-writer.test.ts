/**
 * BoundedWriter: the writer hands its answer to the response one slice of at most 64 KiB at a time,
 * the next from the previous slice's write callback, so a client that takes slices makes progress.
 * An answer is cut when its client takes nothing of more than 64 KiB pending for 10 s (at a write or
 * on the clock's timer), when it falls more than `2 × largest event + 1 MiB` behind, or when it is
 * behind and a write would take the shared {@link PendingBudget} past its bytes; never for one large
 * event on its way. The scripted response takes slices when told to; time is a ManualClock.
 */
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../agent/index.ts';
import { BoundedWriter, SLICE_BYTES, STALL_MS } from '../../view/bounded-writer.ts';
import { PendingBudget } from '../../view/pending-budget.ts';

const MiB = 1024 * 1024;

/** A response whose socket takes `take(n)` slices when told to (a slice's callback then runs). */
function scripted() {
  const state = { ended: false, destroyed: false, written: [] as number[] };
  const callbacks: ((error?: Error | null) => void)[] = [];
  const emitter = new EventEmitter();
  const response = Object.assign(emitter, {
    get writableEnded() {
      return state.ended;
    },
    get destroyed() {
      return state.destroyed;
    },
    write(chunk: Buffer, callback: (error?: Error | null) => void) {
      state.written.push(chunk.length);
      callbacks.push(callback);
      return true;
    },
    end() {
      state.ended = true;
      emitter.emit('close');
    },
    destroy() {
      if (state.destroyed) return;
      state.destroyed = true;
      for (const callback of callbacks.splice(0)) callback(new Error('destroyed'));
      emitter.emit('close');
    },
  });
  /** The client takes `slices` slices (each completes its write), as many as are handed. */
  const take = (slices = 1) => {
    for (let i = 0; i < slices; i++) callbacks.shift()?.(null);
  };
  /** The client takes every slice until nothing is handed. */
  const takeAll = () => {
    while (callbacks.length > 0) take();
  };
  return { state, take, takeAll, response: response as unknown as ServerResponse };
}

const text = (bytes: number) => 'x'.repeat(bytes);
const slices = (bytes: number) => [
  ...Array.from({ length: Math.floor(bytes / SLICE_BYTES) }, () => SLICE_BYTES),
  ...(bytes % SLICE_BYTES === 0 ? [] : [bytes % SLICE_BYTES]),
];

describe('BoundedWriter', () => {
  it('should hand an answer over in slices of 64 KiB, one at a time, each from the last one’s callback', () => {
    const clock = new ManualClock();
    const { state, take, takeAll, response } = scripted();
    const writer = new BoundedWriter(response, 'test stream', clock);
    writer.write(text(3 * SLICE_BYTES + 10));
    writer.write('event: point\n\n');
    expect(state.written).toEqual([SLICE_BYTES]);
    expect(writer.pendingBytes).toBe(3 * SLICE_BYTES + 10 + 14);
    take(2);
    expect(state.written).toEqual([SLICE_BYTES, SLICE_BYTES, SLICE_BYTES]);
    expect(writer.pendingBytes).toBe(SLICE_BYTES + 10 + 14);
    takeAll();
    expect(state.written).toEqual([SLICE_BYTES, SLICE_BYTES, SLICE_BYTES, 10, 14]);
    expect(writer.pendingBytes).toBe(0);
  });

  it('should keep an answer whose client takes a slice a second behind a 48 MiB first event (a slow steady reader)', () => {
    const clock = new ManualClock();
    const { state, take, response } = scripted();
    const writer = new BoundedWriter(response, 'test stream', clock);
    writer.write(text(48 * MiB));
    for (let second = 1; second <= 60; second++) {
      clock.advance(1_000);
      take(); // 64 KiB a second: slower than any link, but never a second without progress
      writer.write('event: point\ndata: {}\n\n');
    }
    expect(state.destroyed).toBe(false);
    expect(state.written).toHaveLength(61);
  });

  it('should keep an answer whose client pauses 9,999 ms behind a 4.2 MB first event, then takes a slice', () => {
    const clock = new ManualClock();
    const { state, take, response } = scripted();
    const writer = new BoundedWriter(response, 'test stream', clock);
    writer.write(text(4_200_000)); // the whole view
    for (let second = 1; second <= 9; second++) {
      clock.advance(1_000);
      writer.write(text(150_000)); // a point per second, nothing taken
    }
    clock.advance(999);
    expect(state.destroyed).toBe(false);
    take(); // progress: the stall starts again
    clock.advance(STALL_MS - 1);
    writer.write(text(150_000));
    expect(state.destroyed).toBe(false);
    expect(writer.pendingBytes).toBe(4_200_000 + 10 * 150_000 - SLICE_BYTES);
  });

  it('should cut an answer with more than 64 KiB pending and no slice taken for 10 s, on the clock with no later write, and not before', () => {
    const clock = new ManualClock();
    const { state, response } = scripted();
    const writer = new BoundedWriter(response, 'view answer', clock);
    writer.end(text(SLICE_BYTES + 1));
    clock.advance(STALL_MS - 1);
    expect(state.destroyed).toBe(false);
    clock.advance(1);
    expect(state).toEqual({ ended: false, destroyed: true, written: [SLICE_BYTES] });
    writer.write(text(10)); // a cut answer takes nothing more, and does not throw
    expect(state.written).toEqual([SLICE_BYTES]);
  });

  it('should cut a stalled stream at its first write from 10 s on', () => {
    const clock = new ManualClock();
    const { state, response } = scripted();
    const writer = new BoundedWriter(response, 'test stream', clock, { stallMs: 60_000 });
    writer.write(text(SLICE_BYTES + 1));
    clock.advance(59_999);
    writer.write(text(10));
    expect(state.destroyed).toBe(false);
    clock.advance(1); // the timer and a write at the same instant: one cut
    writer.write(text(10));
    expect(state.destroyed).toBe(true);
  });

  it('should never cut for 64 KiB or less pending (a keepalive to a client whose buffers are full, timers of a clock jump)', () => {
    const clock = new ManualClock();
    const { state, response } = scripted();
    const writer = new BoundedWriter(response, 'test stream', clock);
    writer.write(text(SLICE_BYTES - 20));
    for (let i = 0; i < 4; i++) {
      clock.advance(15_000);
      writer.write(text(5)); // nothing taken, 15 s apart
    }
    expect(state.destroyed).toBe(false);
    expect(writer.pendingBytes).toBe(SLICE_BYTES);
  });

  it('should never cut an idle client that keeps up', () => {
    const clock = new ManualClock();
    const { state, takeAll, response } = scripted();
    const writer = new BoundedWriter(response, 'test stream', clock);
    for (let i = 0; i < 10; i++) {
      writer.write(text(200_000));
      takeAll();
      clock.advance(15_000);
    }
    expect(state.destroyed).toBe(false);
    expect(state.written).toEqual(Array.from({ length: 10 }, () => slices(200_000)).flat());
  });

  it('should cut a client that takes slices but falls behind past 2 x the largest event + 1 MiB, exactly at the bound', () => {
    const clock = new ManualClock();
    const { state, take, response } = scripted();
    const writer = new BoundedWriter(response, 'test stream', clock);
    writer.write(text(MiB)); // largest event: bound 3 MiB
    writer.write(text(MiB));
    take();
    writer.write(text(MiB + SLICE_BYTES)); // largest now MiB + 64 KiB: bound 3 MiB + 128 KiB
    expect(writer.pendingBytes).toBe(3 * MiB);
    writer.write(text(2 * SLICE_BYTES)); // exactly at the bound: kept
    expect(state.destroyed).toBe(false);
    writer.write('x'); // one byte past it: cut
    expect(state.destroyed).toBe(true);
    expect(writer.pendingBytes).toBe(0);
  });

  it('should end the response once the client has taken the whole answer, and not before', () => {
    const clock = new ManualClock();
    const { state, take, response } = scripted();
    new BoundedWriter(response, 'view answer', clock).end([
      Buffer.from('{"a":'),
      Buffer.from(text(SLICE_BYTES)),
      '}',
    ]);
    take(2);
    expect(state.ended).toBe(false);
    take();
    expect(state).toEqual({ ended: true, destroyed: false, written: [5, SLICE_BYTES, 1] });
  });

  it('should cut instead of throwing when the write throws', () => {
    const clock = new ManualClock();
    const { state, response } = scripted();
    response.write = () => {
      throw new Error('EPIPE');
    };
    new BoundedWriter(response, 'test stream', clock).write('x');
    expect(state.destroyed).toBe(true);
  });

  it('should write nothing to an answer that is closed', () => {
    const clock = new ManualClock();
    const { state, response } = scripted();
    const writer = new BoundedWriter(response, 'test stream', clock);
    response.destroy();
    writer.write('x');
    writer.end('y');
    expect(state.written).toEqual([]);
  });
});

describe('BoundedWriter with a shared PendingBudget', () => {
  it('should count a chunk shared by many answers once, and free it when the last one has taken it or closed', () => {
    const clock = new ManualClock();
    const budget = new PendingBudget(MiB);
    const view = Buffer.from(text(600_000));
    const a = scripted();
    const b = scripted();
    new BoundedWriter(a.response, 'a', clock, { budget }).write(view);
    new BoundedWriter(b.response, 'b', clock, { budget }).write(view);
    expect(budget.bytes).toBe(600_000);
    a.takeAll();
    expect(budget.bytes).toBe(600_000); // b still holds it
    b.response.destroy();
    expect(budget.bytes).toBe(0);
  });

  it('should cut an answer that is behind when its write would pass the budget, and still write to one that keeps up', () => {
    const clock = new ManualClock();
    const budget = new PendingBudget(MiB);
    const behind = scripted();
    const keepsUp = scripted();
    const slow = new BoundedWriter(behind.response, 'behind', clock, { budget });
    const fast = new BoundedWriter(keepsUp.response, 'keeps up', clock, { budget });
    slow.write(text(MiB - 100)); // the budget: MiB - 100 held
    fast.write(text(200)); // keeps up (nothing pending): written, the budget passed by 100
    expect(budget.bytes).toBe(MiB + 100);
    slow.write(text(10)); // behind (more than 64 KiB pending), and past the budget: cut
    expect([behind.state.destroyed, keepsUp.state.destroyed]).toEqual([true, false]);
    expect(budget.bytes).toBe(200);
    keepsUp.takeAll();
    expect(budget.bytes).toBe(0);
  });
});

describe('BoundedWriter on a real socket (127.0.0.1)', () => {
  /** A server whose one stream writes through a BoundedWriter on `clock`; a raw client that does not read yet. */
  async function paused(clock: ManualClock) {
    const { createServer } = await import('node:http');
    const { connect } = await import('node:net');
    let writer: BoundedWriter | undefined;
    let response: ServerResponse | undefined;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      response = res;
      writer = new BoundedWriter(res, 'test stream', clock);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    socket.pause();
    socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    await expect.poll(() => writer).toBeDefined();
    return {
      writer: writer as BoundedWriter,
      response: response as ServerResponse,
      socket,
      received: () => received,
      close: async () => {
        socket.destroy();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }

  /** Resolves once the socket takes no more of `writer`'s answer (the client's kernel buffers are full). */
  async function settled(writer: BoundedWriter) {
    let last = -1;
    await expect
      .poll(
        () => {
          const same = writer.pendingBytes === last;
          last = writer.pendingBytes;
          return same;
        },
        { interval: 200, timeout: 10_000 },
      )
      .toBe(true);
  }

  it('should deliver a 16 MB first event to a client that reads late, and cut one that never reads 10 s after its buffers filled', async () => {
    const clock = new ManualClock();
    const late = await paused(clock);
    const never = await paused(clock);
    try {
      const view = `data: ${'x'.repeat(16 * MiB)}\n\n`;
      for (const stream of [late, never]) stream.writer.write(view);
      await settled(never.writer);
      expect(never.writer.pendingBytes).toBeGreaterThan(SLICE_BYTES); // more than the kernel's buffers take
      clock.advance(9_000);
      late.socket.resume(); // reads the whole view now
      await expect.poll(() => late.received(), { timeout: 20_000 }).toBeGreaterThan(16 * MiB + 8);
      expect(never.response.destroyed).toBe(false);
      clock.advance(1_000); // no write needed: the writer's own timer cuts it
      expect([late.response.destroyed, never.response.destroyed]).toEqual([false, true]);
    } finally {
      await late.close();
      await never.close();
    }
  });

  it('should keep a stream whose client reads 1 MiB a second of a 48 MiB first event, a point every second (review16c M1)', async () => {
    const clock = new ManualClock();
    const client = await paused(clock);
    let target = 0;
    client.socket.on('data', () => {
      if (client.received() >= target) client.socket.pause();
    });
    try {
      client.writer.write(`event: view\ndata: ${'x'.repeat(48 * MiB)}\n\n`);
      const cut: number[] = [];
      for (let second = 1; second <= 15; second++) {
        target = client.received() + MiB;
        client.socket.resume(); // the client reads 1 MiB (and what arrives with it) in this second
        await expect.poll(() => client.received(), { timeout: 20_000 }).toBeGreaterThanOrEqual(target);
        clock.advance(1_000);
        client.writer.write('event: point\ndata: {}\n\n');
        if (client.response.destroyed) cut.push(second);
      }
      // progress every second, never cut, with most of the view still to come
      expect({ cut, destroyed: client.response.destroyed }).toEqual({ cut: [], destroyed: false });
      expect(client.received()).toBeLessThan(40 * MiB);
    } finally {
      await client.close();
    }
  });
});
