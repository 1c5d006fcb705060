/**
 * A call its caller aborted is not the backend's refusal (review F10): `throttle.run()` counts it
 * neither as a request nor as an accept, while a timeout, a 503 and a network error stay refusals.
 * Real fetch calls to a real node:http backend on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../agent/index.ts';
import { callerAborted } from '../../../instrumentation/throttle/call-outcome.ts';
import { ClientThrottle } from '../../../instrumentation/throttle/index.ts';
import { RequestWindow } from '../../../instrumentation/throttle/request-window.ts';
import { freePort } from '../../helpers/free-port.ts';

const abortError = () => new DOMException('This operation was aborted', 'AbortError');
const timeoutError = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');
/** node:http and undici throw an Error named so, with a code. */
const nodeAbort = () =>
  Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });

function aborted(reason?: unknown): AbortSignal {
  const controller = new AbortController();
  controller.abort(reason);
  return controller.signal;
}

describe('callerAborted', () => {
  const live = new AbortController().signal;
  it.each([
    ['a DOMException AbortError, no signal', true, abortError(), undefined],
    ["node:http's AbortError, no signal", true, nodeAbort(), undefined],
    ['a plain object named AbortError', true, { name: 'AbortError' }, undefined],
    ['an AbortError, a live signal', true, abortError(), live],
    ['a TimeoutError, no signal', false, timeoutError(), undefined],
    ['a custom reason, no signal (not recognisable)', false, new Error('user left'), undefined],
    ['a custom reason, its aborted signal', true, new Error('user left'), aborted(new Error('user left'))],
    ['a string reason, its aborted signal', true, 'bye', aborted('bye')],
    ['an abort without reason, its signal', true, abortError(), aborted()],
    ['a TimeoutError, its signal aborted with it', false, timeoutError(), aborted(timeoutError())],
    ['an AbortError, a signal aborted by a timeout', false, abortError(), aborted(timeoutError())],
    ['a network error, a live signal', false, new Error('connect ECONNREFUSED'), live],
    ['a network error, no signal', false, new TypeError('fetch failed'), undefined],
    [
      'a 503 error, its signal aborted',
      false,
      Object.assign(new Error('HTTP 503'), { status: 503 }),
      aborted(),
    ],
    ['an axios 429, named AbortError', false, { name: 'AbortError', response: { status: 429 } }, undefined],
    ['a 200-status error named AbortError', false, { name: 'AbortError', statusCode: 200 }, undefined],
    ['undefined', false, undefined, undefined],
    ['null', false, null, undefined],
    ['the string "AbortError"', false, 'AbortError', undefined],
    ['a non-string name', false, { name: 42 }, undefined],
  ])('%s: %s', (_case, expected, error, signal) => {
    expect(callerAborted(error, signal)).toBe(expected);
  });
});

describe('RequestWindow.removeRequest', () => {
  it('should take a request back while its bucket is in the window, never below zero, never once it left', () => {
    const window = new RequestWindow(120_000); // 1 s buckets
    const first = window.addRequest(0);
    const second = window.addRequest(500);
    window.addAccept(500);
    window.removeRequest(first);
    expect(window.counts(500)).toEqual({ requests: 1, accepts: 1 });
    window.removeRequest(second);
    window.removeRequest(second); // nothing left in the bucket
    expect(window.counts(500)).toEqual({ requests: 0, accepts: 1 });
    const old = window.addRequest(1_000);
    window.addRequest(120_999);
    window.removeRequest(old); // its bucket is the oldest still in the window
    expect(window.counts(120_999)).toEqual({ requests: 1, accepts: 0 });
    const gone = window.addRequest(121_000);
    window.addRequest(241_000); // `gone`'s bucket left the window; its slot holds this one
    window.removeRequest(gone);
    expect(window.counts(241_000)).toEqual({ requests: 1, accepts: 0 });
  });
});

describe('throttle.run with real fetch calls', () => {
  /** Requests to /hold wait until `release()`; /busy answers 503; anything else 200. */
  const held: ServerResponse[] = [];
  let arrived: (() => void) | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/busy') res.writeHead(503, { 'retry-after': '1' }).end('busy');
    else if (req.url === '/hold') {
      held.push(res);
      arrived?.();
    } else res.end('ok');
  });
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const untilArrived = () => new Promise<void>((resolve) => (arrived = resolve));

  const throttle = () =>
    new ClientThrottle({
      target: 'backend',
      k: 2,
      windowMs: 120_000,
      enabled: true,
      clock: new ManualClock(1_700_000_000_000),
      random: () => 0.99, // nothing throttled here: every call reaches the backend
    });
  const stats = (t: ClientThrottle) => t.stats().map(({ target: _t, criticality: _c, ...counts }) => counts);

  /** A fetch of /hold the caller aborts (with `reason`) once the backend has the request. */
  async function abandoned(t: ClientThrottle, reason: unknown, passSignal: boolean) {
    const controller = new AbortController();
    const arrival = untilArrived();
    const call = t.run(() => fetch(`${base}/hold`, { signal: controller.signal }), {
      signal: passSignal ? controller.signal : undefined,
    });
    await arrival;
    controller.abort(reason);
    return call.then(
      () => 'resolved',
      (error: unknown) => (error as { name?: string }).name ?? String(error),
    );
  }

  it("should count none of 60 calls its caller aborted: the backend's throttle stays open", async () => {
    const t = throttle();
    const thrown: string[] = [];
    for (let i = 0; i < 20; i++) thrown.push(await abandoned(t, undefined, false)); // AbortError
    for (let i = 0; i < 20; i++) thrown.push(await abandoned(t, undefined, true));
    for (let i = 0; i < 20; i++) thrown.push(await abandoned(t, new Error('client left'), true));
    const ok = await t.run(() => fetch(`${base}/ok`));
    expect([...new Set(thrown)]).toEqual(['AbortError', 'Error']);
    expect(ok.throttled === false && [ok.value.status, ok.accepted]).toEqual([200, true]);
    expect(stats(t)).toEqual([
      { sent: 61, throttled: 0, accepted: 1, refused: 0, aborted: 60, probability: 0 },
    ]);
  });

  it('should count a custom abort reason as refused when the signal is not passed', async () => {
    const t = throttle();
    expect(await abandoned(t, new Error('client left'), false)).toBe('Error');
    expect(stats(t)).toEqual([
      { sent: 1, throttled: 0, accepted: 0, refused: 1, aborted: 0, probability: 0.5 },
    ]);
  });

  it('should count a timeout, a 503 and a network error as refused, signal passed or not', async () => {
    const t = throttle();
    const timeout = AbortSignal.timeout(20);
    const timedOut = await t
      .run(() => fetch(`${base}/hold`, { signal: timeout }), { signal: timeout })
      .catch((error: DOMException) => error.name);
    const deadline = new AbortController();
    const viaSignal = abandoned(t, timeoutError(), true);
    const busy = await t.run(() => fetch(`${base}/busy`), { signal: deadline.signal });
    const closed = `http://127.0.0.1:${await freePort()}/`;
    const network = await t.run(() => fetch(closed), { signal: deadline.signal }).catch((e: Error) => e.name);
    expect([timedOut, await viaSignal, busy.throttled === false && busy.value.status, network]).toEqual([
      'TimeoutError',
      'TimeoutError',
      503,
      'TypeError',
    ]);
    const [counts] = stats(t);
    expect(counts).toEqual({ sent: 4, throttled: 0, accepted: 0, refused: 4, aborted: 0, probability: 0.8 });
  });
});
