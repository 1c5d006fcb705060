// Client side of the receiver rows of bench/ingest.bench.ts (not a benchmark itself), run in a
// worker thread so its CPU is not the receiving (main) thread's: it sends prebuilt OTLP protobuf
// trace requests to the real receiver, over OTLP/HTTP (node:http, keep-alive) or OTLP/gRPC
// (@grpc/grpc-js, one channel, identity serializers: the same bytes, no re-encoding), with
// `concurrency` requests in flight on either transport, and answers once all were answered.
//   workerData: { bodies: Uint8Array[], httpUrl, grpcAddress, concurrency }
//   message in: { transport: 'http' | 'grpc', requests }   out: { ok, failed: { [status]: count } }
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import * as grpc from '@grpc/grpc-js';

/** What the main thread passes to the worker. */
interface ClientSetup {
  readonly bodies: readonly Uint8Array[];
  readonly httpUrl: string;
  readonly grpcAddress: string;
  readonly concurrency: number;
}

type Send = (body: Buffer, done: (status: string) => void) => void;

const setup = workerData as ClientSetup;
const bodies = setup.bodies.map((body) => Buffer.from(body));
const TRACES_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const identity = (bytes: Buffer): Buffer => bytes;

// A connection idle for 1 s is closed by this side: between rounds the receiving thread runs the
// other cases for seconds, and its keep-alive timer (5 s) would fire only when the next round's
// requests are already on their way (ECONNRESET). Within a round no connection is ever idle.
const httpAgent = new Agent({ keepAlive: true, maxSockets: setup.concurrency, timeout: 1000 });
const tracesUrl = new URL('/v1/traces', setup.httpUrl);
const sendHttp: Send = (body, done) => {
  const req = request(tracesUrl, {
    method: 'POST',
    agent: httpAgent,
    headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
  });
  req.on('response', (res) => res.on('end', () => done(String(res.statusCode))).resume());
  req.on('error', (error: NodeJS.ErrnoException) => done(`error ${error.code ?? error.message}`));
  req.end(body);
};

const client = new grpc.Client(setup.grpcAddress, grpc.credentials.createInsecure(), {
  'grpc.max_send_message_length': -1,
});
const sendGrpc: Send = (body, done) => {
  client.makeUnaryRequest(TRACES_PATH, identity, identity, body, new grpc.Metadata(), (error) =>
    done(error === null ? 'OK' : `grpc ${error.code}`),
  );
};

const SENDERS: Readonly<Record<string, Send>> = { http: sendHttp, grpc: sendGrpc };
const SUCCESS = new Set(['200', 'OK']);
let next = 0; // bodies are sent in turn across rounds

/** Sends `requests` bodies with `concurrency` in flight; resolves with the outcomes. */
function run(send: Send, requests: number): Promise<{ ok: number; failed: Record<string, number> }> {
  const failed: Record<string, number> = {};
  let ok = 0;
  let started = 0;
  let answered = 0;
  return new Promise((resolve) => {
    const sendNext = (): void => {
      started++;
      send(bodies[next++ % bodies.length]!, (status) => {
        if (SUCCESS.has(status)) ok++;
        else failed[status] = (failed[status] ?? 0) + 1;
        if (++answered === requests) resolve({ ok, failed });
        else if (started < requests) sendNext();
      });
    };
    for (let i = 0; i < Math.min(setup.concurrency, requests); i++) sendNext();
  });
}

parentPort!.on('message', async (message: { transport: string; requests: number }) => {
  parentPort!.postMessage(await run(SENDERS[message.transport]!, message.requests));
});
