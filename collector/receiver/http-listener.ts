/** The node:http side of the OTLP/HTTP receiver: its timeouts, listening, and draining on close. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock, TimerHandle } from '../../agent/index.ts';
import type { Admission } from './admission.ts';
import type { ReceiverConfig } from './otlp-receiver.ts';
import type { RequestHandler } from './request-handler.ts';

/**
 * Node's own timers for the parts before the body: headers within `headersTimeout`, and a backstop
 * on the whole request a second past the body deadline (the body reader answers first). Node checks
 * them every `connectionsCheckingInterval`, 30 s by default, which let slow headers live ~48 s;
 * checking at most every second bounds a timeout's overshoot.
 */
export function serverTimeouts(config: ReceiverConfig) {
  return {
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.headersTimeoutMs + config.bodyTimeoutMs + 1000,
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(config.headersTimeoutMs / 4))),
  };
}

export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Stops listening and lets every accepted request get its response: idle keep-alive connections
 * close at once, busy ones after their response (which says `Connection: close`, see
 * RequestHandler); only once `drainTimeoutMs` has passed are the remaining connections cut.
 */
export async function shutdown(
  server: Server,
  handler: RequestHandler,
  admission: Admission,
  { drainTimeoutMs, clock }: { readonly drainTimeoutMs: number; readonly clock: Clock },
) {
  handler.closing = true;
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let timer: TimerHandle | undefined;
  // Unref'd (a clock's timers are): the open connections hold the process; closing never does on its own.
  const expired = new Promise<void>((resolve) => {
    timer = clock.after(drainTimeoutMs, resolve);
  });
  await Promise.race([serverClosed, expired]);
  timer?.cancel();
  server.closeAllConnections();
  await serverClosed;
  // Cut-off requests release their slot when their response closes, just after their socket.
  await admission.drain(drainTimeoutMs);
}
