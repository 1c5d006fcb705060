/**
 * The receiver rows of `bench/ingest.bench.ts` (not a benchmark itself): the real collector-mode
 * receiver (`startReceiver`: OTLP/HTTP and OTLP/gRPC listeners on free ports, admission, auth,
 * the export core, span ingest into the agent) runs on this (main) thread; a worker thread
 * (`bench/ingest-client-worker.ts`) sends it the same prebuilt protobuf requests over either
 * transport. The harness times the main thread's CPU, so a row's cost is the receiving side's:
 * sockets, HTTP/1.1 or HTTP/2 framing, grpc-js, decode, classify, record.
 */
import { Worker } from 'node:worker_threads';
import type { Agent, RuleMatcher } from '../agent/index.ts';
import { startReceiver } from '../collector/receiver/index.ts';
import type { ServiceDirectory } from '../collector/service-directory.ts';
import type { ResolvedConfig } from '../config/index.ts';
import type { BenchCase } from './harness.ts';

/** Options of {@link receiverCases}. */
export interface ReceiverCasesOptions {
  readonly agent: Agent;
  readonly rules: RuleMatcher;
  readonly directory: ServiceDirectory;
  /** The receiver section; both listeners must be on port 0. */
  readonly config: ResolvedConfig['receiver'];
  /** Request bodies (OTLP protobuf `ExportTraceServiceRequest`), sent in turn. */
  readonly bodies: readonly Uint8Array[];
  /** Requests in flight at once, on either transport. */
  readonly concurrency: number;
}

/** The two rows and what the runs leave to check. */
export interface ReceiverCases {
  readonly http: BenchCase;
  readonly grpc: BenchCase;
  /** Requests answered with anything but success, by status (`503`, `grpc 14`, `error`): none expected. */
  readonly failures: Readonly<Record<string, number>>;
  /** Ends the worker and closes the receiver. */
  close(): Promise<void>;
}

interface RunResult {
  readonly ok: number;
  readonly failed: Record<string, number>;
}

export const HTTP_ROW = 'receiver OTLP/HTTP';
export const GRPC_ROW = 'receiver OTLP/gRPC';

/** Starts the receiver and the client worker; each case's `round(ops)` sends `ops` requests. */
export async function receiverCases(options: ReceiverCasesOptions): Promise<ReceiverCases> {
  const receiver = await startReceiver(options);
  const worker = new Worker(new URL('./ingest-client-worker.ts', import.meta.url), {
    workerData: {
      bodies: options.bodies,
      httpUrl: receiver.url,
      grpcAddress: receiver.grpcAddress,
      concurrency: options.concurrency,
    },
  });
  const failures: Record<string, number> = {};
  const roundOf =
    (transport: 'http' | 'grpc') =>
    (requests: number): Promise<void> =>
      new Promise((resolve, reject) => {
        worker.once('error', reject);
        worker.once('message', (result: RunResult) => {
          worker.off('error', reject);
          for (const [status, count] of Object.entries(result.failed))
            failures[status] = (failures[status] ?? 0) + count;
          resolve();
        });
        worker.postMessage({ transport, requests });
      });
  return {
    http: { name: HTTP_ROW, round: roundOf('http') },
    grpc: { name: GRPC_ROW, round: roundOf('grpc') },
    failures,
    close: async () => {
      await worker.terminate();
      await receiver.close();
    },
  };
}
