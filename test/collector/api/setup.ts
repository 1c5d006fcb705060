/** A decision API on 127.0.0.1:0 over a small agent: `checkout` (namespace payments) and `search` (namespace search). */

import { afterEach } from 'vitest';
import { type DecisionApi, startDecisionApi } from '../../../collector/api/index.ts';
import { ServiceDirectory } from '../../../collector/service-directory.ts';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { type SseMessage, SseParser } from '../../../instrumentation/remote/sse-parser.ts';
import { recordMany, testAgent } from '../../helpers/agent.ts';

/** The feature lists of examples/headroom.yaml. */
const FEATURE_LEVELS = {
  minimal: { disable: ['recommendations'] },
  moderate: { disable: ['personalization', 'search_suggestions'] },
  severe: { disable: ['analytics_events'] },
  critical: { disable: ['non_essential_writes'] },
};

/**
 * The admission classes of a service at level NONE with nothing judged or counted, as the API and
 * the stream show them: no probability, the default caps (CRITICAL_PLUS never shed).
 */
export const IDLE_CLASSES = {
  CRITICAL_PLUS: { probability: 0, maxProbability: 0, minProbability: 0, admitted: 0, rejected: 0 },
  CRITICAL: { probability: 0, maxProbability: 0.5, minProbability: 0, admitted: 0, rejected: 0 },
  SHEDDABLE_PLUS: { probability: 0, maxProbability: 0.9, minProbability: 0, admitted: 0, rejected: 0 },
  SHEDDABLE: { probability: 0, maxProbability: 1, minProbability: 0, admitted: 0, rejected: 0 },
};

/** Bearer tokens of the test config (each at least 16 characters). */
export const TOKENS = {
  admin: 'admin-token-0123456789',
  reader: 'reader-token-0123456789',
  paymentsOps: 'payments-ops-token-0123456789',
};

type ApiInput = NonNullable<HeadroomConfigInput['api']>;

export const DEFAULT_API: ApiInput = {
  port: 0,
  tokens: [
    { name: 'admin', token: TOKENS.admin, scopes: ['read', 'override'] },
    { name: 'reader', token: TOKENS.reader, scopes: ['read'] },
    { name: 'payments-ops', token: TOKENS.paymentsOps, scopes: ['read', 'override'], namespace: 'payments' },
  ],
};

/** Sender tokens: namespace-bound API tokens need authenticated senders (a config rule). */
const RECEIVER_TOKENS = [
  { name: 'payments-sender', token: 'payments-sender-0123456789', namespace: 'payments' },
  { name: 'search-sender', token: 'search-sender-0123456789', namespace: 'search' },
];

/** Starts an API; `close()` must be called (afterEach). */
export async function startTestApi(api: ApiInput = DEFAULT_API, keepaliveMs?: number) {
  const receiver = { tokens: RECEIVER_TOKENS };
  const { agent, clock } = testAgent({ degradation: { levels: FEATURE_LEVELS }, api, receiver });
  const directory = new ServiceDirectory();
  directory.note('checkout', 'payments', clock.now());
  directory.note('search', 'search', clock.now());
  const server: DecisionApi = await startDecisionApi({
    agent,
    directory,
    config: agent.config.api,
    ...(keepaliveMs === undefined ? {} : { keepaliveMs }),
  });
  return { agent, clock, directory, server, request: requester(server.url) };
}

/** Records the standard traffic and ticks once: checkout quote/emergency 40 ms, browse/routine 100 ms, search too few. */
export function recordTraffic(context: Awaited<ReturnType<typeof startTestApi>>) {
  const { agent, clock } = context;
  const checkout = { namespace: 'payments', service: 'checkout' };
  recordMany(agent, clock, { ...checkout, operation: 'quote', context: 'emergency' }, 40, 100);
  recordMany(agent, clock, { ...checkout, operation: 'browse', context: 'routine' }, 100, 45);
  recordMany(agent, clock, { ...checkout, operation: 'browse', context: 'routine' }, 100, 5, true);
  recordMany(
    agent,
    clock,
    { namespace: 'search', service: 'search', operation: 'query', context: 'routine' },
    100,
    10,
  );
  return agent.tick();
}

export interface RequestOptions {
  readonly token?: string;
  readonly method?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** `fetch` relative to the API with an optional bearer token and JSON body; resolves status, headers and parsed body. */
function requester(base: string) {
  return async (path: string, options: RequestOptions = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${base}${path}`, {
      method: options.method ?? 'GET',
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text === '' ? undefined : JSON.parse(text),
    };
  };
}

/** An SSE stream read through the client's parser; `events` fills as they arrive. */
export async function openStream(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const events: SseMessage[] = [];
  const comments: string[] = [];
  const parser = new SseParser({ onEvent: (e) => events.push(e), onComment: (c) => comments.push(c) });
  /** Resolves 'ended' when the server ended the body, 'aborted' when close() cut it. */
  const done = (async (): Promise<'ended' | 'aborted'> => {
    if (response.body === null) return 'ended';
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) parser.push(decoder.decode(chunk, { stream: true }));
      return 'ended';
    } catch {
      return 'aborted';
    }
  })();
  return {
    response,
    events,
    comments,
    /** The events as [event, id, parsed data]. */
    parsed: () => events.map((e) => [e.event, e.id, JSON.parse(e.data)]),
    close: async () => {
      controller.abort();
      await done;
    },
    done,
  };
}

type TestApi = Awaited<ReturnType<typeof startTestApi>>;
type TestStream = Awaited<ReturnType<typeof openStream>>;

/**
 * One test's API and the streams opened on it, all closed after each test. Call once at a test
 * file's top level: it registers the `afterEach`.
 */
export function apiPerTest() {
  let current: TestApi | undefined;
  const streams: TestStream[] = [];
  afterEach(async () => {
    for (const stream of streams.splice(0)) await stream.close();
    await current?.server.close();
    current = undefined;
  });
  return {
    /** Starts the test's API (see {@link startTestApi}). */
    async start(api: ApiInput = DEFAULT_API, keepaliveMs?: number): Promise<TestApi> {
      current = await startTestApi(api, keepaliveMs);
      return current;
    },
    /** Opens an SSE stream at `path` of the test's API, closed after the test. */
    async stream(path: string, headers: Record<string, string> = {}): Promise<TestStream> {
      if (current === undefined) throw new Error('start the API first');
      const stream = await openStream(`${current.server.url}${path}`, headers);
      streams.push(stream);
      return stream;
    },
    /** The API started in this test, if any. */
    get current(): TestApi | undefined {
      return current;
    },
  };
}
