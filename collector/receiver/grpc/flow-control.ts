/**
 * HTTP/2 receive windows of the OTLP/gRPC listener. grpc-js 1.14 leaves a server's windows at the
 * HTTP/2 default of 64 KiB per stream and per connection (it reads `grpc-node.flow_control_window`
 * on clients only; grpc/grpc-node#3058 proposes it for servers): a sender with several 50 KiB
 * exports in flight on its one channel then stalls every 64 KiB for a WINDOW_UPDATE, and the
 * receiver spends its CPU on more wake-ups, frames and writes per message. Measured with
 * `bench/ingest.bench.ts` (8 exports of 100 spans in flight): about 0.65x the spans per core of
 * OTLP/HTTP with the default windows, 0.8-0.9x with 1 MiB.
 */
import type { Http2Server, ServerHttp2Session } from 'node:http2';
import type { Server } from '@grpc/grpc-js';
import { diag } from '@opentelemetry/api';

/** Receive window per stream and per connection, bytes: gRPC Java's default flow-control window. */
export const FLOW_CONTROL_WINDOW_BYTES = 1024 * 1024;

/**
 * Advertises `windowBytes` as the initial window of every stream and widens each new
 * connection's window to it, on the HTTP/2 servers `server` listens with. Call after
 * `bindAsync` succeeded (grpc-js creates them there) and before connections arrive. grpc-js keeps
 * its HTTP/2 servers in a private field: should a later version drop it, the windows stay at the
 * defaults (a debug line says so) and the receiver works as before, only less efficiently.
 */
export function widenFlowControl(server: Server, windowBytes = FLOW_CONTROL_WINDOW_BYTES): void {
  const http2Servers: unknown = Reflect.get(server, 'http2Servers');
  if (!(http2Servers instanceof Map)) {
    diag.debug('headroom: grpc-js has no http2Servers: the OTLP/gRPC receive windows stay at 64 KiB');
    return;
  }
  for (const http2Server of http2Servers.keys() as Iterable<Http2Server>) {
    http2Server.updateSettings({ initialWindowSize: windowBytes });
    http2Server.on('session', (session: ServerHttp2Session) => session.setLocalWindowSize(windowBytes));
  }
}
