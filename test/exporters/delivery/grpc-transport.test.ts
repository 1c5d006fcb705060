import { createServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { GrpcTransport, OTLP_GRPC_METHODS } from '../../../exporters/delivery/index.ts';
import { statusWithRetryInfo } from '../../helpers/otlp-grpc-sink.ts';
import { until } from '../../helpers/otlp-sink.ts';

const identity = (bytes: Buffer): Buffer => bytes;
const servers: grpc.Server[] = [];

afterEach(() => {
  for (const server of servers.splice(0)) server.forceShutdown();
});

type Handler = (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => void;

/** A real grpc-js server on port 0 answering TraceService/Export with `handler`. */
async function serve(handler: Handler): Promise<string> {
  const server = new grpc.Server();
  server.register(OTLP_GRPC_METHODS.traces, handler, identity, identity, 'unary');
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  servers.push(server);
  return `http://127.0.0.1:${port}`;
}

function transport(endpoint: string, extra: Partial<ConstructorParameters<typeof GrpcTransport>[0]> = {}) {
  return new GrpcTransport({
    endpoint,
    method: OTLP_GRPC_METHODS.traces,
    headers: {},
    timeoutMs: 5000,
    ...extra,
  });
}

describe('GrpcTransport against a real grpc-js server', () => {
  it('should send the bytes unchanged with the headers as metadata, gzip-compressed when asked', async () => {
    const seen: { body: Buffer; auth: unknown }[] = [];
    const url = await serve((call, callback) => {
      seen.push({
        body: call.request,
        auth: call.metadata.get('authorization')[0],
      });
      callback(null, Buffer.from([0x0a, 0x02, 0x08, 0x03]));
    });
    const client = transport(url, { headers: { Authorization: 'Bearer t' }, compression: 'gzip' });
    const result = await client.send(new Uint8Array([1, 2, 3]), new AbortController().signal);
    client.shutdown();
    expect(result).toEqual({ status: 'success', rejected: 0, body: Buffer.from([0x0a, 0x02, 0x08, 0x03]) });
    expect(seen).toEqual([{ body: Buffer.from([1, 2, 3]), auth: 'Bearer t' }]);
  });

  it('should compress the message with gzip on the wire when asked (an HTTP/2 server reads the frame)', async () => {
    const frames: { encoding: unknown; flag: number; message: Buffer }[] = [];
    const server = createServer();
    server.on('stream', (stream, headers) => {
      const parts: Buffer[] = [];
      stream.on('data', (part: Buffer) => parts.push(part));
      stream.on('end', () => {
        const frame = Buffer.concat(parts);
        const message = frame.subarray(5, 5 + frame.readUInt32BE(1));
        frames.push({
          encoding: headers['grpc-encoding'],
          flag: frame[0]!,
          message: frame[0] ? gunzipSync(message) : message,
        });
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(Buffer.from([0, 0, 0, 0, 0]));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    for (const compression of ['gzip', 'none'] as const) {
      const client = transport(`http://127.0.0.1:${port}`, { compression });
      const result = await client.send(Buffer.alloc(1000, 7), new AbortController().signal);
      client.shutdown();
      expect(result.status).toBe('success');
    }
    server.close();
    expect(frames).toEqual([
      { encoding: 'gzip', flag: 1, message: Buffer.alloc(1000, 7) },
      { encoding: undefined, flag: 0, message: Buffer.alloc(1000, 7) },
    ]);
  });

  it.each([
    [grpc.status.UNAVAILABLE, undefined, { status: 'retryable' }],
    [grpc.status.INVALID_ARGUMENT, undefined, { status: 'failure' }],
    [grpc.status.RESOURCE_EXHAUSTED, undefined, { status: 'failure' }],
    [
      grpc.status.RESOURCE_EXHAUSTED,
      statusWithRetryInfo(grpc.status.RESOURCE_EXHAUSTED, 2500),
      { status: 'retryable', retryAfterMs: 2500 },
    ],
    [
      grpc.status.UNAVAILABLE,
      statusWithRetryInfo(grpc.status.UNAVAILABLE, 1000),
      { status: 'retryable', retryAfterMs: 1000 },
    ],
  ])('should classify code %s (details %s) as %o', async (code, details, expected) => {
    const url = await serve((_call, callback) => {
      const metadata = new grpc.Metadata();
      if (details !== undefined) metadata.set('grpc-status-details-bin', details);
      callback({ code, details: 'refused', metadata });
    });
    const client = transport(url);
    const result = await client.send(new Uint8Array([1]), new AbortController().signal);
    client.shutdown();
    expect(result).toMatchObject(expected);
    expect((result as { error: Error }).error.message).toBe(`gRPC status ${code}: refused`);
  });

  it('should answer a connection refused as retryable (UNAVAILABLE)', async () => {
    const url = await serve((_call, callback) => callback(null, Buffer.alloc(0)));
    servers.splice(0)[0]!.forceShutdown();
    const client = transport(url, { timeoutMs: 2000 });
    const result = await client.send(new Uint8Array([1]), new AbortController().signal);
    client.shutdown();
    expect(result.status).toBe('retryable');
  });

  it('should end a call in flight as a failure when the signal aborts, and not start one on an aborted signal', async () => {
    let held = 0;
    const url = await serve(() => held++); // never answers
    const client = transport(url);
    const controller = new AbortController();
    const inFlight = client.send(new Uint8Array([1]), controller.signal);
    await until(() => held === 1, 5000, 'the call at the server');
    controller.abort();
    const results = [await inFlight, await client.send(new Uint8Array([1]), controller.signal)];
    client.shutdown();
    expect(results.map((r) => [r.status, (r as { error: Error }).error.message])).toEqual([
      ['failure', 'request aborted'],
      ['failure', 'request aborted'],
    ]);
  });

  it('should answer an endpoint that is not a URL as a failure, without throwing', async () => {
    const client = transport('not a url');
    const result = await client.send(new Uint8Array([1]), new AbortController().signal);
    client.shutdown();
    expect([result.status, (result as { error: Error }).error.message]).toEqual(['failure', 'Invalid URL']);
  });
});
