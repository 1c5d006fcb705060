/**
 * BoundedWriter: a stream is cut when its client drains nothing for 10 s or falls more than
 * `2 × largest event + 1 MiB` behind, never for one large event on its way (the first view). The
 * response is scripted (its `writableLength` is what the socket would report), time a ManualClock.
 */
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../agent/index.ts';
import { BoundedWriter, STALL_MS } from '../../view/bounded-writer.ts';

const MiB = 1024 * 1024;

/** A response whose client drains `drain(n)` bytes when told to. */
function scripted() {
  const state = { writableLength: 0, writableEnded: false, destroyed: false, written: [] as number[] };
  const response = {
    get writableLength() {
      return state.writableLength;
    },
    get writableEnded() {
      return state.writableEnded;
    },
    get destroyed() {
      return state.destroyed;
    },
    write(text: string) {
      state.written.push(text.length);
      state.writableLength += text.length;
      return true;
    },
    destroy() {
      state.destroyed = true;
    },
  };
  const drain = (bytes: number) => {
    state.writableLength = Math.max(0, state.writableLength - bytes);
  };
  return { state, drain, response: response as unknown as ServerResponse };
}

const text = (bytes: number) => 'x'.repeat(bytes);

describe('BoundedWriter', () => {
  it('should keep a stream whose client pauses 9 s behind a 4.2 MB first event, then reads', () => {
    const clock = new ManualClock();
    const { state, drain, response } = scripted();
    const writer = new BoundedWriter(response, 'test stream', clock);
    writer.write(text(4_200_000)); // the whole view
    for (let second = 1; second <= 9; second++) {
      clock.advance(1_000);
      writer.write(text(150_000)); // a point per second, nothing read
    }
    expect(state.destroyed).toBe(false);
    expect(state.writableLength).toBe(4_200_000 + 9 * 150_000);
    drain(1); // the client reads again: progress resets the stall
    clock.advance(9_999);
    writer.write(text(150_000));
    expect(state.destroyed).toBe(false);
    expect(state.written).toHaveLength(11);
  });

  it('should cut a client that drains nothing of more than 64 KiB for 10 s, at the first write from then on, and not before', () => {
    const clock = new ManualClock();
    const { state, response } = scripted();
    const writer = new BoundedWriter(response, 'test stream', clock);
    writer.write(text(64 * 1024 + 1));
    clock.advance(STALL_MS - 1);
    writer.write(text(10)); // 9,999 ms without progress: kept
    expect(state.destroyed).toBe(false);
    clock.advance(1);
    writer.write(text(10));
    expect(state.destroyed).toBe(true);
    expect(state.written).toEqual([64 * 1024 + 1, 10]);
    writer.write(text(10)); // a cut stream takes nothing more, and does not throw
    expect(state.written).toEqual([64 * 1024 + 1, 10]);
  });

  it('should never cut for 64 KiB or less pending (writes of one event-loop turn, timers of a clock jump)', () => {
    const clock = new ManualClock();
    const { state, response } = scripted();
    const writer = new BoundedWriter(response, 'test stream', clock);
    writer.write(text(64 * 1024 - 20));
    for (let i = 0; i < 2; i++) {
      clock.advance(15_000);
      writer.write(text(10)); // nothing drained, 15 s apart
    }
    expect(state.destroyed).toBe(false);
    expect(state.writableLength).toBe(64 * 1024);
  });

  it('should never cut an idle client that keeps up (nothing buffered at each write)', () => {
    const clock = new ManualClock();
    const { state, drain, response } = scripted();
    const writer = new BoundedWriter(response, 'test stream', clock);
    for (let i = 0; i < 10; i++) {
      writer.write(text(20));
      drain(20);
      clock.advance(15_000);
    }
    expect(state.destroyed).toBe(false);
    expect(state.written).toHaveLength(10);
  });

  it('should cut a client that reads but falls behind past 2 x the largest event + 1 MiB, exactly at the bound', () => {
    const clock = new ManualClock();
    const { state, drain, response } = scripted();
    const writer = new BoundedWriter(response, 'test stream', clock);
    writer.write(text(MiB)); // largest event: bound 3 MiB
    writer.write(text(MiB));
    drain(1);
    writer.write(text(MiB - 1)); // 2 MiB - 1 buffered + MiB - 1: within 3 MiB, kept
    expect(state.writableLength).toBe(3 * MiB - 2);
    drain(1);
    expect(state.destroyed).toBe(false);
    writer.write(text(4)); // 3 MiB - 3 buffered + 4 = 3 MiB + 1: cut
    expect(state.destroyed).toBe(true);
    expect(state.written).toEqual([MiB, MiB, MiB - 1]);
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

  it('should write nothing to an ended stream', () => {
    const clock = new ManualClock();
    const { state, response } = scripted();
    state.writableEnded = true;
    new BoundedWriter(response, 'test stream', clock).write('x');
    expect(state.written).toEqual([]);
    expect(state.destroyed).toBe(false);
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

  it('should deliver a 16 MB first event to a client that reads late, and cut one that never reads after 10 s', async () => {
    const clock = new ManualClock();
    const late = await paused(clock);
    const never = await paused(clock);
    try {
      const view = `data: ${'x'.repeat(16 * MiB)}\n\n`;
      for (const stream of [late, never]) stream.writer.write(view);
      expect(never.response.writableLength).toBeGreaterThan(0); // more than the kernel's buffers take
      clock.advance(9_000);
      for (const stream of [late, never]) stream.writer.write(': keepalive\n\n');
      late.socket.resume(); // reads the whole view now
      await expect.poll(() => late.received(), { timeout: 20_000 }).toBeGreaterThan(16 * MiB + 12);
      clock.advance(1_000);
      for (const stream of [late, never]) stream.writer.write(': keepalive\n\n');
      expect([late.response.destroyed, never.response.destroyed]).toEqual([false, true]);
    } finally {
      await late.close();
      await never.close();
    }
  });
});
