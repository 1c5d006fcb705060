import { Agent, type ClientRequest, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { OtlpReceiver } from '../../../collector/receiver/index.ts';
import { until } from '../../helpers/otlp-sink.ts';
import { protobufPayload, spansOf } from './otlp-fixtures.ts';
import { PROTOBUF, responseOf, startTestReceiver, type TestResponse } from './receiver-harness.ts';

const open: OtlpReceiver[] = [];
const agents: Agent[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((receiver) => receiver.close()));
  for (const agent of agents.splice(0)) agent.destroy();
});

interface Sent {
  readonly request: ClientRequest;
  readonly response: Promise<TestResponse>;
  readonly socket: Promise<Socket>;
  /** Whether the request went out on a connection a previous request had used (keep-alive). */
  readonly reused: () => boolean;
}

/** A POST through `agent`; the body is written by the caller. */
function post(url: string, agent: Agent, length: number): Sent {
  const request = httpRequest(new URL('/v1/traces', url), {
    method: 'POST',
    headers: { 'content-type': PROTOBUF, 'content-length': String(length) },
    agent,
  });
  const socket = new Promise<Socket>((resolve) => request.once('socket', resolve));
  const response = responseOf(request);
  return { request, response, socket, reused: () => request.reusedSocket };
}

const ended = (socket: Socket) =>
  new Promise<void>((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  });

describe('OTLP/HTTP receiver closing with keep-alive clients', () => {
  it('should answer every request accepted on a keep-alive connection, then end the connection', async () => {
    const { receiver, clock } = await startTestReceiver({}, { drainTimeoutMs: 5000 });
    open.push(receiver);
    const now = clock.now();
    const body = protobufPayload(spansOf({}, [{ name: 'op', startMs: now - 5, endMs: now }]));
    const clients = [0, 1, 2].map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
    agents.push(...clients);
    // A first request on each connection, answered: the connections are now idle keep-alive ones.
    const first = clients.map((agent) => post(receiver.url, agent, body.length));
    for (const sent of first) sent.request.end(body);
    const firstReplies = await Promise.all(first.map((sent) => sent.response));
    expect(firstReplies.map((reply) => [reply.status, reply.headers.connection])).toEqual(
      Array(3).fill([200, 'keep-alive']),
    );
    // Two connections carry a second request whose body is half sent; the third stays idle.
    const second = clients.slice(0, 2).map((agent) => post(receiver.url, agent, body.length));
    for (const sent of second) sent.request.write(body.subarray(0, 1));
    await until(() => receiver.stats().inFlight === 2, 2000, 'two requests in flight');
    const idleSocket = await (first[2] as Sent).socket;

    const startedMs = Date.now();
    const closing = receiver.close();
    for (const sent of second) sent.request.end(body.subarray(1));
    const replies = await Promise.all(second.map((sent) => sent.response));
    await closing;

    expect(second.map((sent) => sent.reused())).toEqual([true, true]);
    expect(replies.map((reply) => [reply.status, reply.headers.connection])).toEqual([
      [200, 'close'],
      [200, 'close'],
    ]);
    const busySockets = await Promise.all(second.map((sent) => sent.socket));
    await Promise.all([...busySockets, idleSocket].map(ended));
    // Closed as soon as the answered connections ended, not at the drain bound.
    expect(Date.now() - startedMs).toBeLessThan(1000);
    expect(receiver.stats()).toMatchObject({ requests: 5, spansReceived: 5, inFlight: 0 });
  });

  it('should refuse new connections once closing while a busy keep-alive connection still gets its answer', async () => {
    const { receiver, clock } = await startTestReceiver({}, { drainTimeoutMs: 5000 });
    open.push(receiver);
    const now = clock.now();
    const body = protobufPayload(spansOf({}, [{ name: 'op', startMs: now - 5, endMs: now }]));
    const held = post(receiver.url, new Agent({ keepAlive: true }), body.length);
    held.request.write(body.subarray(0, 1));
    await until(() => receiver.stats().inFlight === 1, 2000, 'one request in flight');
    const closing = receiver.close();
    // The listener is closed: a new connection is refused, not accepted and then dropped.
    const refused = post(receiver.url, new Agent({ keepAlive: true }), 0);
    refused.request.end();
    await expect(refused.response).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    held.request.end(body.subarray(1));
    expect([(await held.response).status, (await held.response).headers.connection]).toEqual([200, 'close']);
    await closing;
    expect(receiver.stats()).toMatchObject({ inFlight: 0, spansReceived: 1 });
  });
});
