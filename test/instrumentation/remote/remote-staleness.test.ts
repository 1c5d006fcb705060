import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClientOptionsError } from '../../../errors.ts';
import {
  type ConnectDecisionsOptions,
  connectDecisions,
  type RemoteDecisions,
} from '../../../instrumentation/remote/index.ts';

const T0 = 1_700_000_000_000;
const clients: RemoteDecisions[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  vi.restoreAllMocks();
});

/** A fetch whose n-th response streams `responses[n]`, then stays open for `push` (the last one repeats). */
function scriptedFetch(...responses: string[][]) {
  let open: ReadableStreamDefaultController<Uint8Array> | undefined;
  let calls = 0;
  const fetch = (async () => {
    const texts = responses[Math.min(calls++, responses.length - 1)] ?? [];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        open = controller;
        for (const text of texts) controller.enqueue(new TextEncoder().encode(text));
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  }) as typeof globalThis.fetch;
  return {
    fetch,
    push: (text: string) => open?.enqueue(new TextEncoder().encode(text)),
    end: () => open?.close(),
    calls: () => calls,
  };
}

const agentEvent = (instanceId: string) => `event: agent\ndata: {"instanceId":"${instanceId}"}\n\n`;
const stateEvent = (level: string, disabled: string[], instanceId?: string) =>
  `event: state\nid: checkout:3\ndata: ${JSON.stringify({ service: 'checkout', namespace: '', level, disabledFeatures: disabled, instanceId })}\n\n`;

function connect(options: Partial<ConnectDecisionsOptions>) {
  const clock = { nowMs: T0 };
  const client = connectDecisions({
    url: 'http://agent.invalid',
    service: 'checkout',
    backoff: { initialMs: 5, maxMs: 5 },
    now: () => clock.nowMs,
    ...options,
  });
  clients.push(client);
  return { client, clock };
}

/** No request decided by the client's admit() yet. */
const NO_REQUESTS = {
  CRITICAL_PLUS: { admitted: 0, rejected: 0 },
  CRITICAL: { admitted: 0, rejected: 0 },
  SHEDDABLE_PLUS: { admitted: 0, rejected: 0 },
  SHEDDABLE: { admitted: 0, rejected: 0 },
};

describe('connectDecisions staleness', () => {
  it('should turn stale after staleAfterMs without an event or keepalive, and keep the last level by default', async () => {
    const stream = scriptedFetch([agentEvent('a1'), stateEvent('CRITICAL', ['search'], 'a1')]);
    const { client, clock } = connect({ fetch: stream.fetch, staleAfterMs: 10_000 });
    await vi.waitFor(() => expect(client.level).toBe('CRITICAL'));
    const fresh = {
      level: 'CRITICAL',
      disabledFeatures: ['search'],
      connected: true,
      stale: false,
      lastUpdateMs: T0,
      lastHeardMs: T0,
      agentInstanceId: 'a1',
      requests: NO_REQUESTS,
    };
    expect(client.state()).toEqual(fresh);
    clock.nowMs = T0 + 9_999;
    expect(client.state()).toEqual(fresh);
    clock.nowMs = T0 + 10_000;
    expect(client.state()).toEqual({ ...fresh, stale: true });
    expect(client.features.enabled('search')).toBe(false);
  });

  it('should count a keepalive as word from the agent', async () => {
    const stream = scriptedFetch([agentEvent('a1'), stateEvent('MINIMAL', ['r'], 'a1')]);
    const { client, clock } = connect({ fetch: stream.fetch, staleAfterMs: 10_000 });
    await vi.waitFor(() => expect(client.level).toBe('MINIMAL'));
    clock.nowMs = T0 + 9_000;
    stream.push(': keepalive\n\n');
    await vi.waitFor(() => expect(client.state().lastHeardMs).toBe(T0 + 9_000));
    clock.nowMs = T0 + 18_999;
    expect([client.stale, client.state().lastUpdateMs]).toEqual([false, T0]);
    clock.nowMs = T0 + 19_000;
    expect(client.stale).toBe(true);
  });

  it('should report fallbackLevel and its features while stale, and the agent word again once heard', async () => {
    const stream = scriptedFetch([agentEvent('a1'), stateEvent('CRITICAL', ['search'], 'a1')]);
    const { client, clock } = connect({
      fetch: stream.fetch,
      staleAfterMs: 5_000,
      fallbackLevel: 'SEVERE',
      fallbackDisabledFeatures: ['analytics'],
    });
    await vi.waitFor(() => expect(client.level).toBe('CRITICAL'));
    clock.nowMs = T0 + 5_000;
    expect(client.state()).toEqual({
      level: 'SEVERE',
      disabledFeatures: ['analytics'],
      connected: true,
      stale: true,
      lastUpdateMs: T0,
      lastHeardMs: T0,
      agentInstanceId: 'a1',
      requests: NO_REQUESTS,
    });
    expect([client.features.enabled('analytics'), client.features.enabled('search')]).toEqual([false, true]);
    stream.push(': keepalive\n\n');
    await vi.waitFor(() => expect(client.stale).toBe(false));
    expect([client.level, client.features.disabled()]).toEqual(['CRITICAL', ['search']]);
  });

  it('should be stale from its start when the agent never answers, at the fallback level', () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const { client, clock } = connect({
      url: 'http://127.0.0.1:9',
      staleAfterMs: 1_000,
      fallbackLevel: 'NONE',
    });
    expect(client.stale).toBe(false);
    clock.nowMs = T0 + 1_000;
    expect(client.state()).toEqual({
      level: 'NONE',
      disabledFeatures: [],
      connected: false,
      stale: true,
      lastUpdateMs: undefined,
      lastHeardMs: undefined,
      agentInstanceId: undefined,
      requests: NO_REQUESTS,
    });
  });
});

describe('connectDecisions agent instance', () => {
  it('should drop the level to NONE when another agent instance answers, even one that sends no state', async () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const info = vi.spyOn(diag, 'info').mockImplementation(() => {});
    const stream = scriptedFetch(
      [agentEvent('a1'), stateEvent('CRITICAL', ['search'], 'a1')],
      [agentEvent('b2')],
    );
    const { client } = connect({ fetch: stream.fetch });
    await vi.waitFor(() => expect(client.level).toBe('CRITICAL'));
    stream.end();
    await vi.waitFor(() => expect(client.state().agentInstanceId).toBe('b2'));
    expect(client.state()).toEqual({
      level: 'NONE',
      disabledFeatures: [],
      connected: true,
      stale: false,
      lastUpdateMs: T0,
      lastHeardMs: T0,
      agentInstanceId: 'b2',
      requests: NO_REQUESTS,
    });
    expect(info.mock.calls.map((call) => call[0])).toEqual([
      'headroom: the decision agent of checkout restarted (instance b2); level CRITICAL dropped to NONE until it says otherwise',
    ]);
  });

  it('should keep the level when the same instance answers again', async () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const stream = scriptedFetch([agentEvent('a1'), stateEvent('SEVERE', ['x'], 'a1')], [agentEvent('a1')]);
    const { client } = connect({ fetch: stream.fetch });
    await vi.waitFor(() => expect(client.level).toBe('SEVERE'));
    stream.end();
    await vi.waitFor(() => expect(stream.calls()).toBeGreaterThanOrEqual(2));
    await vi.waitFor(() => expect(client.connected).toBe(true));
    expect([client.level, client.state().agentInstanceId]).toEqual(['SEVERE', 'a1']);
  });

  it('should take the instance from a state event of another agent too', async () => {
    vi.spyOn(diag, 'info').mockImplementation(() => {});
    const stream = scriptedFetch([
      stateEvent('CRITICAL', ['search'], 'a1'),
      stateEvent('MINIMAL', ['r'], 'b2'),
    ]);
    const { client } = connect({ fetch: stream.fetch });
    await vi.waitFor(() => expect(client.state().agentInstanceId).toBe('b2'));
    expect([client.level, client.features.disabled()]).toEqual(['MINIMAL', ['r']]);
  });
});

describe('connectDecisions options', () => {
  const cases: [string, Partial<ConnectDecisionsOptions>, string, string][] = [
    [
      'a url that is not a URL',
      { url: 'not a url' },
      'url',
      'connectDecisions: url must be an absolute http(s) URL of the decision API such as http://127.0.0.1:4320, got "not a url"',
    ],
    [
      'a url of another scheme',
      { url: 'ftp://agent:4320' },
      'url',
      'connectDecisions: url must be an absolute http(s) URL of the decision API such as http://127.0.0.1:4320, got "ftp://agent:4320"',
    ],
    [
      'an empty service',
      { service: '' },
      'service',
      'connectDecisions: service must be a non-empty string, got ""',
    ],
    [
      'a namespace that is not a string',
      { namespace: 7 as unknown as string },
      'namespace',
      'connectDecisions: namespace must be a string, got 7',
    ],
    [
      'a negative staleAfterMs',
      { staleAfterMs: -1 },
      'staleAfterMs',
      'connectDecisions: staleAfterMs must be a positive number of ms, got -1',
    ],
    [
      'a NaN idleTimeoutMs',
      { idleTimeoutMs: Number.NaN },
      'idleTimeoutMs',
      'connectDecisions: idleTimeoutMs must be a positive number of ms, got NaN',
    ],
    [
      'a misspelt fallbackLevel',
      { fallbackLevel: 'CRITCAL' as 'CRITICAL' },
      'fallbackLevel',
      'connectDecisions: fallbackLevel: unknown level "CRITCAL" (did you mean "CRITICAL"?); levels: NONE, MINIMAL, MODERATE, SEVERE, CRITICAL',
    ],
    [
      'fallbackDisabledFeatures that are not strings',
      { fallbackDisabledFeatures: [1] as unknown as string[] },
      'fallbackDisabledFeatures',
      'connectDecisions: fallbackDisabledFeatures must be an array of strings',
    ],
  ];
  for (const [what, options, option, message] of cases) {
    it(`should throw HEADROOM_ERR_CLIENT_OPTIONS_INVALID at once for ${what}`, () => {
      const fetchSpy = vi.fn();
      let thrown: unknown;
      try {
        connectDecisions({ url: 'http://127.0.0.1:4320', service: 'checkout', fetch: fetchSpy, ...options });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ClientOptionsError);
      const error = thrown as ClientOptionsError;
      expect([error.code, error.option, error.message]).toEqual([
        'HEADROOM_ERR_CLIENT_OPTIONS_INVALID',
        option,
        message,
      ]);
      expect(fetchSpy).not.toHaveBeenCalled();
    });
  }

  it('should accept an https URL with a path prefix and fallbackLevel last', () => {
    const stream = scriptedFetch([]);
    const { client } = connect({
      url: 'https://proxy.example/headroom/',
      fetch: stream.fetch,
      fallbackLevel: 'last',
    });
    expect(client.level).toBe('NONE');
  });
});
