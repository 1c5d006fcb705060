import { connect } from 'node:http2';
import type { Server } from '@grpc/grpc-js';
import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FLOW_CONTROL_WINDOW_BYTES,
  widenFlowControl,
} from '../../../collector/receiver/grpc/flow-control.ts';
import type { OtlpReceiver } from '../../../collector/receiver/index.ts';
import { startTestReceiver } from './receiver-harness.ts';

const open: OtlpReceiver[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((receiver) => receiver.close()));
});

describe('OTLP/gRPC receive windows', () => {
  it('should let a sender have 1 MiB in flight per stream and per connection, not the HTTP/2 default of 64 KiB', async () => {
    const { receiver } = await startTestReceiver();
    open.push(receiver);
    const session = connect(`http://${receiver.grpcAddress}`);
    try {
      const settings = await new Promise<{ initialWindowSize?: number }>((resolve) =>
        session.once('remoteSettings', resolve),
      );
      // The server's WINDOW_UPDATE goes out before its answer to a PING sent after its SETTINGS.
      await new Promise((resolve, reject) =>
        session.ping((error) => (error ? reject(error) : resolve(null))),
      );
      expect({
        initialWindowSize: settings.initialWindowSize,
        connectionWindow: session.state.remoteWindowSize,
      }).toEqual({
        initialWindowSize: FLOW_CONTROL_WINDOW_BYTES,
        connectionWindow: FLOW_CONTROL_WINDOW_BYTES,
      });
    } finally {
      session.close();
    }
  });

  it('should leave the windows alone, and say so, when grpc-js keeps its HTTP/2 servers elsewhere', () => {
    const debug = vi.spyOn(diag, 'debug').mockImplementation(() => {});
    try {
      widenFlowControl({} as Server);
      expect(debug.mock.calls).toEqual([
        ['headroom: grpc-js has no http2Servers: the OTLP/gRPC receive windows stay at 64 KiB'],
      ]);
    } finally {
      debug.mockRestore();
    }
  });
});
