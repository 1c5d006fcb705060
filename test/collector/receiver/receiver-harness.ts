/**
 * A receiver on 127.0.0.1 with a free port, an agent on a manual clock, and a plain `node:http`
 * client (no connection pooling, so each request is on its own connection like separate clients).
 */
import { type ClientRequest, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import protobuf from 'protobufjs';
import { afterEach } from 'vitest';
import { RuleMatcher } from '../../../agent/index.ts';
import { type OtlpReceiver, type ReceiverOptions, startReceiver } from '../../../collector/receiver/index.ts';
import { ServiceDirectory } from '../../../collector/service-directory.ts';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { testAgent } from '../../helpers/agent.ts';

/** Extra options of {@link startTestReceiver}. */
export type TestReceiverOptions = Partial<Omit<ReceiverOptions, 'agent' | 'rules' | 'config'>>;

/** Starts a receiver with `input` as the config file (the receiver listens on port 0). */
export async function startTestReceiver(input: HeadroomConfigInput = {}, options: TestReceiverOptions = {}) {
  const { agent, clock } = testAgent({
    ...input,
    receiver: { port: 0, grpc: { port: 0 }, ...input.receiver },
  });
  const directory = options.directory ?? new ServiceDirectory({ limits: agent.registry.limits });
  const receiver: OtlpReceiver = await startReceiver({
    agent,
    rules: new RuleMatcher(agent.config.rules),
    config: agent.config.receiver,
    ...options,
    directory,
  });
  return { receiver, agent, clock, directory };
}

/** A response, whole. */
export interface TestResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** What to send. */
export interface TestRequest {
  /** @default 'POST' */
  readonly method?: string;
  /** @default '/v1/traces' */
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array | string;
}

/** The whole response to `request` (status, headers, body); rejects on a request or response error. */
export function responseOf(request: ClientRequest): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    request.on('error', reject);
    request.on('response', (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () =>
        resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks) }),
      );
      incoming.on('error', reject);
    });
  });
}

/** Sends one request on a new connection and reads the whole response. */
export function send(url: string, request: TestRequest = {}): Promise<TestResponse> {
  const outgoing = httpRequest(new URL(request.path ?? '/v1/traces', url), {
    method: request.method ?? 'POST',
    headers: request.headers,
    agent: false,
  });
  const response = responseOf(outgoing);
  outgoing.end(request.body);
  return response;
}

/** POSTs `body` to `/v1/traces` (or `path`) as `contentType`. */
export function post(url: string, contentType: string, body: Uint8Array | string, path = '/v1/traces') {
  return send(url, { path, headers: { 'content-type': contentType }, body });
}

export const PROTOBUF = 'application/x-protobuf';
export const JSON_TYPE = 'application/json';

const statusType = protobuf
  .parse('syntax = "proto3"; message Status { int32 code = 1; string message = 2; }')
  .root.lookupType('Status');

/** The `google.rpc.Status` of an error response, in either encoding. */
export function statusOf(response: TestResponse): { code: number; message: string } {
  if (response.headers['content-type'] === JSON_TYPE) return JSON.parse(response.body.toString('utf8'));
  const decoded = statusType.toObject(statusType.decode(response.body), { defaults: true });
  return { code: decoded.code as number, message: decoded.message as string };
}

/** The body limit of the receivers {@link limitedReceivers} starts, bytes (64 KiB). */
export const LIMIT = 64 * 1024;

/**
 * For a test file's top level: returns a function starting a receiver with `maxBodySize: 64KiB`
 * (see {@link startTestReceiver}); every receiver it started is closed after each test.
 */
export function limitedReceivers(): () => ReturnType<typeof startTestReceiver> {
  const open: OtlpReceiver[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((receiver) => receiver.close()));
  });
  return async () => {
    const started = await startTestReceiver({ receiver: { maxBodySize: '64KiB' } });
    open.push(started.receiver);
    return started;
  };
}
