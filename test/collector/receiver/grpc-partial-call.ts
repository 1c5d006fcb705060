/**
 * A gRPC call held in flight: a raw HTTP/2 client (what grpc-js clients send, by hand) opens
 * `TraceService/Export` and sends only the first part of its length-prefixed message, so the
 * server holds an open call until the test sends the rest, or cuts it.
 */
import { connect, constants } from 'node:http2';

const TRACES_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** How the call ended: a gRPC status (0 is OK), or cut without one. */
export type PartialCallEnd = { readonly grpcStatus: number } | { readonly cut: true };

/** A call whose message is partly sent. */
export interface PartialCall {
  /** Sends the rest of the message and ends the request. */
  finish(): void;
  /** Resets the stream (RST_STREAM CANCEL), as a client that gives up does. */
  cancel(): void;
  /** Resolves with how the call ended. */
  readonly ended: Promise<PartialCallEnd>;
}

/**
 * Opens the call on a new connection to `address` (`host:port`), sends `message`'s gRPC prefix and
 * its first `sentBytes`, and resolves once the server has received them (a PING sent after them
 * is acknowledged). `headers` are sent as call metadata (e.g. `authorization`).
 */
export async function partialCall(
  address: string,
  message: Uint8Array,
  sentBytes: number,
  headers: Readonly<Record<string, string>> = {},
): Promise<PartialCall> {
  const session = connect(`http://${address}`);
  session.on('error', () => {}); // a cut connection ends the stream below
  const stream = session.request({
    ':method': 'POST',
    ':path': TRACES_PATH,
    'content-type': 'application/grpc',
    te: 'trailers',
    ...headers,
  });
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  stream.write(Buffer.concat([prefix, message.subarray(0, sentBytes)]));
  let grpcStatus: number | undefined;
  // An answer before the message is whole (a refusal) ends the call: the client stops sending.
  const collect = (headers: Record<string, unknown>) => {
    if (headers['grpc-status'] === undefined) return;
    grpcStatus = Number(headers['grpc-status']);
    stream.close(constants.NGHTTP2_CANCEL);
  };
  stream.on('response', collect);
  stream.on('trailers', collect);
  stream.on('error', () => {});
  stream.resume();
  const ended = new Promise<PartialCallEnd>((resolve) => {
    stream.on('close', () => {
      session.close();
      resolve(grpcStatus === undefined ? { cut: true } : { grpcStatus });
    });
  });
  await new Promise((resolve) => session.once('connect', resolve));
  await new Promise<void>((resolve, reject) => {
    session.ping((error) => (error ? reject(error) : resolve()));
  });
  return {
    finish: () => stream.end(message.subarray(sentBytes)),
    cancel: () => stream.close(constants.NGHTTP2_CANCEL),
    ended,
  };
}
