/**
 * `headroom top`: the live view in a terminal, read from a real view stream (the embedded view
 * listener over a seeded ManualClock agent): one exact screen with --once, redraws in place as
 * events arrive, and a clear line and exit 1 when the view cannot be read.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../agent/index.ts';
import { main } from '../../app/cli/main.ts';
import { renderTop, TopScreen } from '../../app/cli/top-screen.ts';
import { runCli } from '../helpers/cli.ts';
import { startFakeViewServer } from '../helpers/fake-view-server.ts';
import { freePort } from '../helpers/free-port.ts';
import { recordTraffic, startSeededView, TOKENS } from '../view/setup.ts';

let view: Awaited<ReturnType<typeof startSeededView>> | undefined;
afterEach(async () => {
  await view?.close();
  view = undefined;
});

const CLEAR = '\u001b[H\u001b[2J';

function screen(url: string, updated: string, rows: string[]): string {
  return [`headroom top - ${url} - 2 services, 3 operations - updated ${updated} UTC`, '', ...rows, ''].join(
    '\n',
  );
}

/** A whole operation of the view as the API answers it; `fields` replace the defaults. */
function operationOf(fields: Record<string, unknown> = {}) {
  return {
    operation: 'quote',
    context: 'emergency',
    percentile: 'p95',
    status: 'ok',
    observedMs: 5.25,
    budgetMs: 50,
    headroom: 0.895,
    count: 3,
    latencyMs: { p50: 5, p95: 5.25, p99: 9.99 },
    ...fields,
  };
}

/** A service of the view at level NONE, nothing overridden; `fields` replace the defaults. */
function serviceOf(fields: Record<string, unknown> = {}) {
  return {
    namespace: '',
    service: 'checkout',
    level: 'NONE',
    since: 0,
    overridden: false,
    disabledFeatures: [],
    override: null,
    modifiers: [],
    transitions: [],
    slos: [],
    admission: null,
    operations: [operationOf()],
    ...fields,
  };
}

/** The whole view of `services`, as the stream's first `view` event. */
function viewOf(services: { readonly namespace: string; readonly service: string }[]) {
  return { generatedAtMs: 0, instanceId: 'x', resolutionMs: 10_000, lengthMs: 900_000, services };
}

/** A `point` of `checkout`'s stream for `operation` with every percentile at `latencyMs`. */
function pointOf(namespace: string, service: string, operation: string, latencyMs: number) {
  const headroom = 1 - latencyMs / 50;
  return {
    namespace,
    service,
    operation,
    context: 'emergency',
    p50: latencyMs,
    p95: latencyMs,
    p99: latencyMs,
    budgetMs: 50,
    observedMs: latencyMs,
    headroom,
    status: headroom < 0 ? 'violated' : 'ok',
    count: 1,
  };
}

/** Runs `headroom top` in-process with its waits on `clock` (live mode runs until the test ends). */
function startTop(argv: string[], clock: ManualClock) {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: (text: string) => {
      stdout += text;
    },
    stderr: (text: string) => {
      stderr += text;
    },
    env: {},
    clock,
  };
  const running = main(argv, io);
  return { running, stdout: () => stdout, stderr: () => stderr };
}

const HEADER = 'SERVICE            OPERATION  CONTEXT    LEVEL       P50    P95    P99  BUDGET  HEADROOM';

describe('headroom top', () => {
  it('should print one screen of every visible operation, closest to its budget first, with --once', async () => {
    view = await startSeededView();
    recordTraffic(view.agent, view.clock);
    view.agent.degradation('checkout', 'payments').override('MINIMAL', 'drill');
    view.agent.tick();
    expect(
      await runCli(['top', '--url', `${view.url}/`, '--once'], { HEADROOM_TOKEN: TOKENS.reader }),
    ).toEqual({
      code: 0,
      stdout: screen(view.url, '22:13:20', [
        HEADER,
        'payments/checkout  quote      emergency  MINIMAL*   40ms   40ms   40ms    50ms     20.0%',
        'payments/checkout  browse     routine    MINIMAL*  100ms  100ms  100ms   200ms     50.0%',
        'search/search      query      routine    NONE      100ms  100ms  100ms   200ms         -',
      ]),
      stderr: '',
    });
    const tenant = await runCli([
      'top',
      '--url',
      view.url,
      '--token',
      TOKENS.paymentsOps,
      '--namespace',
      'search',
      '--once',
    ]);
    expect(tenant).toEqual({
      code: 0,
      stdout: `headroom top - ${view.url} - 0 services, 0 operations - updated 22:13:20 UTC\n\nSERVICE  OPERATION  CONTEXT  LEVEL  P50  P95  P99  BUDGET  HEADROOM\n(no operations yet)\n`,
      stderr: '',
    });
  });

  it('should redraw in place at each event, and reconnect with backoff when the stream ends', async () => {
    view = await startSeededView();
    const clock = new ManualClock();
    const top = startTop(['top', '--url', view.url, '--token', TOKENS.reader], clock);
    await vi.waitFor(() => expect(top.stdout().split(CLEAR)).toHaveLength(2));
    recordTraffic(view.agent, view.clock);
    view.agent.tick();
    // A frame per event: the point, then the two services new at that step.
    await vi.waitFor(() => expect(top.stdout().split(CLEAR)).toHaveLength(5));
    expect(top.stdout().split(CLEAR).at(-1)?.split('\n').slice(2, 6)).toEqual([
      'SERVICE            OPERATION  CONTEXT    LEVEL    P50    P95    P99  BUDGET  HEADROOM',
      'payments/checkout  quote      emergency  NONE    40ms   40ms   40ms    50ms     20.0%',
      'payments/checkout  browse     routine    NONE   100ms  100ms  100ms   200ms     50.0%',
      'search/search      query      routine    NONE   100ms  100ms  100ms   200ms         -',
    ]);
    const url = view.url;
    await view.close();
    view = undefined;
    const refused = `headroom top: cannot reach ${url}: connect ECONNREFUSED 127.0.0.1:${url.split(':')[2]}`;
    const ended = `headroom top: ${url} ended the stream; retrying in 1 s\n`;
    await vi.waitFor(() => expect(top.stderr()).toBe(ended));
    await clock.advanceAsync(1_000);
    await vi.waitFor(() => expect(top.stderr()).toBe(`${ended}${refused}; retrying in 2 s\n`));
    await clock.advanceAsync(1_999); // not yet
    expect(top.stderr()).toBe(`${ended}${refused}; retrying in 2 s\n`);
    await clock.advanceAsync(1);
    await vi.waitFor(() =>
      expect(top.stderr()).toBe(`${ended}${refused}; retrying in 2 s\n${refused}; retrying in 4 s\n`),
    );
  });

  it('should reconnect after a dropped stream and draw the view again, the backoff reset by the view', async () => {
    const fake = await startFakeViewServer(viewOf([serviceOf()]), { t: {} });
    try {
      const clock = new ManualClock();
      const top = startTop(['top', '--url', fake.url, '--token', 't'], clock);
      await vi.waitFor(() => expect(fake.streams()).toBe(1));
      for (let drop = 1; drop <= 3; drop++) {
        fake.endStreams();
        await vi.waitFor(() => expect(top.stderr().split('\n')).toHaveLength(drop + 1));
        await clock.advanceAsync(999);
        expect(fake.streams()).toBe(0);
        await clock.advanceAsync(1);
        await vi.waitFor(() => expect(top.stdout().split(CLEAR)).toHaveLength(drop + 2));
        await vi.waitFor(() => expect(fake.streams()).toBe(1));
      }
      expect(top.stderr()).toBe(`headroom top: ${fake.url} ended the stream; retrying in 1 s\n`.repeat(3));
    } finally {
      await fake.close();
    }
  });

  it('should drop a stream silent for 45 s on its clock and connect again, as the page does; any byte restarts the wait', async () => {
    const fake = await startFakeViewServer(viewOf([serviceOf({ namespace: 'shop' })]), { t: {} });
    try {
      const clock = new ManualClock();
      const top = startTop(['top', '--url', fake.url, '--token', 't'], clock);
      await vi.waitFor(() => expect(top.stdout().split(CLEAR)).toHaveLength(2));
      await clock.advanceAsync(30_000);
      fake.push('point', { atMs: 30_000, points: [pointOf('shop', 'checkout', 'quote', 10)] });
      await vi.waitFor(() => expect(top.stdout().split(CLEAR)).toHaveLength(3));
      await clock.advanceAsync(44_999); // 45 s after the last byte, less 1 ms: still following
      expect([top.stderr(), fake.streams()]).toEqual(['', 1]);
      await clock.advanceAsync(1);
      const silent = `headroom top: no data from ${fake.url} for 45 s (not even a keepalive); retrying in 1 s\n`;
      await vi.waitFor(() => expect(top.stderr()).toBe(silent));
      await clock.advanceAsync(1_000);
      await vi.waitFor(() => expect(top.stdout().split(CLEAR)).toHaveLength(4)); // the view again
      await vi.waitFor(() => expect(fake.streams()).toBe(1));
    } finally {
      await fake.close();
    }
  });

  it("should retry once with --once (after a 429's Retry-After, else 1 s), then exit 1 with the reason", async () => {
    const message = 'too many open streams for token "t" (4 open, at most 4)';
    const fake = await startFakeViewServer(viewOf([]), {
      busy: { refused: { status: 429, message, headers: { 'retry-after': '5' } } },
      odd: { refused: { status: 429, message, headers: { 'retry-after': 'soon' } } },
      down: { refused: { status: 503, message: 'draining' } },
    });
    try {
      const runs = [];
      for (const [token, firstWaitMs] of [
        ['busy', 5_000],
        ['odd', 1_000],
        ['down', 1_000],
      ] as const) {
        const clock = new ManualClock();
        const top = startTop(['top', '--url', fake.url, '--token', token, '--once'], clock);
        await vi.waitFor(() => expect(top.stderr()).toContain('retrying'));
        await clock.advanceAsync(firstWaitMs - 1);
        expect(top.stderr().split('\n')).toHaveLength(2);
        await clock.advanceAsync(1);
        runs.push([await top.running, top.stdout(), top.stderr()]);
      }
      const busy = `headroom top: ${fake.url} answered 429: ${message}`;
      const down = `headroom top: ${fake.url} answered 503: draining`;
      expect(runs).toEqual([
        [1, '', `${busy}; retrying in 5 s\n${busy}\n`],
        [1, '', `${busy}; retrying in 1 s\n${busy}\n`],
        [1, '', `${down}; retrying in 1 s\n${down}\n`],
      ]);
    } finally {
      await fake.close();
    }
  });

  it('should say why and exit 1 when refused or unreachable, and 2 for a bad --url', async () => {
    view = await startSeededView();
    expect(await runCli(['top', '--url', view.url, '--once'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `headroom top: ${view.url} answered 401: this request needs a bearer token with the "read" scope\n`,
    });
    const port = await freePort();
    const clock = new ManualClock();
    const top = startTop(['top', '--url', `http://127.0.0.1:${port}`, '--once'], clock);
    await vi.waitFor(() => expect(top.stderr()).toContain('retrying'));
    await clock.advanceAsync(1_000);
    expect(await top.running).toBe(1);
    const refused = `headroom top: cannot reach http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`;
    expect([top.stdout(), top.stderr()]).toEqual(['', `${refused}; retrying in 1 s\n${refused}\n`]);
  });

  it('should take the page’s or the API’s address as --url, and say what to give for any other (exit 2)', async () => {
    view = await startSeededView();
    const accepted = [
      '/ui/',
      '/ui',
      '/ui/services/payments/checkout',
      '/api/v1/view',
      '/api/v1/view/stream',
      '//',
    ];
    const firstLines = [];
    for (const path of accepted) {
      const run = await runCli(['top', '--url', `${view.url}${path}`, '--once'], {
        HEADROOM_TOKEN: TOKENS.reader,
      });
      firstLines.push([path, run.code, run.stdout.split('\n')[0], run.stderr]);
    }
    const first = `headroom top - ${view.url} - 0 services, 0 operations - updated 22:13:20 UTC`;
    expect(firstLines).toEqual(accepted.map((path) => [path, 0, first, '']));
    const example = 'e.g. http://127.0.0.1:4320 (collector) or http://127.0.0.1:9466 (embedded)';
    const help = '; see "headroom top --help"\n';
    const wrong = (url: string, origin: string) =>
      `headroom top: --url takes where the view is served, ${example}, or the page's address (${origin}/ui/); got "${url}"${help}`;
    const notUrl = (url: string) =>
      `headroom top: --url must be an http:// or https:// URL, ${example}; got "${url}"${help}`;
    const cases: [string, string][] = [
      ['ftp://x', notUrl('ftp://x')],
      ['127.0.0.1:4320', notUrl('127.0.0.1:4320')],
      ['http:/x', notUrl('http:/x')],
      ['http://h:4320/?x', wrong('http://h:4320/?x', 'http://h:4320')],
      ['http://h:4320/ui/?token=x', wrong('http://h:4320/ui/?token=x', 'http://h:4320')],
      ['http://h:4320/ui/#top', wrong('http://h:4320/ui/#top', 'http://h:4320')],
      ['http://h:4320/headroom', wrong('http://h:4320/headroom', 'http://h:4320')],
      ['http://h:4320/api/v1/services', wrong('http://h:4320/api/v1/services', 'http://h:4320')],
      [
        'http://me:pw@h:4320',
        `headroom top: --url must not hold a user or password; give the token with --token or $HEADROOM_TOKEN${help}`,
      ],
    ];
    const runs = [];
    for (const [url] of cases) runs.push(await runCli(['top', '--url', url, '--once']));
    expect(runs).toEqual(cases.map(([, stderr]) => ({ code: 2, stdout: '', stderr })));
  });
});

describe('TopScreen', () => {
  it('should wait for the view, then apply points, services and evictions to it', () => {
    const top = new TopScreen();
    top.apply('point', { atMs: 0, points: [] });
    expect(top.render('here')).toBe('headroom top: here: waiting for the view...\n');
    const operation = operationOf();
    const service = serviceOf({ operations: [operation] });
    top.apply('view', viewOf([service]));
    top.apply('point', {
      atMs: 10_000,
      points: [
        { ...pointOf('', 'checkout', 'quote', 70), p50: 60, p99: 80, count: 9 },
        { ...pointOf('', 'checkout', 'other', 1), headroom: 0.98 },
        { ...pointOf('x', 'gone', 'quote', 1), headroom: 0.98 },
      ],
    });
    expect(top.render('here')).toBe(
      [
        'headroom top - here - 1 services, 1 operations - updated 00:00:10 UTC',
        '',
        'SERVICE   OPERATION  CONTEXT    LEVEL   P50   P95   P99  BUDGET  HEADROOM',
        'checkout  quote      emergency  NONE   60ms  70ms  80ms    50ms    -40.0%',
        '',
      ].join('\n'),
    );
    top.apply('service', { ...service, level: 'SEVERE', overridden: true, operations: [operation] });
    expect(top.render('here').split('\n')[3]).toBe(
      'checkout  quote      emergency  SEVERE*  5.0ms  5.3ms  10.0ms    50ms     89.5%',
    );
    top.apply('evicted', { namespace: '', service: 'checkout' });
    top.apply('unknown', {});
    expect(renderTop(top.view, 'here', 0).split('\n').slice(-2)).toEqual(['(no operations yet)', '']);
  });

  it('should show control characters in names as \\xNN, never send them to the terminal (review16 M1)', () => {
    const operation = operationOf({
      operation: 'a\rb\u009b2J',
      observedMs: 5,
      headroom: 0.9,
      latencyMs: { p50: 5, p95: 5, p99: 5 },
    });
    const view = viewOf([
      serviceOf({ namespace: 'n\u0000s', service: 'evil\u001b[2J\u0007\u007fé', operations: [operation] }),
    ]);
    const frame = renderTop(view as unknown as Parameters<typeof renderTop>[0], 'here', undefined);
    expect(frame.split('\n')[3]).toBe(
      'n\\x00s/evil\\x1b[2J\\x07\\x7fé  a\\x0db\\x9b2J  emergency  NONE   5.0ms  5.0ms  5.0ms    50ms     90.0%',
    );
    const controls = [...frame.replaceAll('\n', '')].filter(
      (c) => c < ' ' || (c >= '\u007f' && c <= '\u009f'),
    );
    expect(controls).toEqual([]);
  });
  it('should escape bidi and format characters and align wide names by terminal cells (review16b L1)', () => {
    const operation = operationOf({ observedMs: 5, headroom: 0.9, latencyMs: { p50: 5, p95: 5, p99: 5 } });
    const view = viewOf([
      serviceOf({ service: '\u202eevil', operations: [operation] }),
      serviceOf({ service: 'é日本😀', operations: [{ ...operation, operation: 'ｶﾅ👩‍💻', headroom: 0.8 }] }),
    ]);
    const frame = renderTop(view as unknown as Parameters<typeof renderTop>[0], 'here', undefined);
    // 7 cells for é日本😀 (1 + 2 + 2 + 2) and 12 for the escaped name; ｶﾅ (halfwidth) 2, 👩‍💻 2.
    expect(frame.split('\n').slice(2, 5)).toEqual([
      'SERVICE       OPERATION  CONTEXT    LEVEL    P50    P95    P99  BUDGET  HEADROOM',
      'é日本😀       ｶﾅ👩‍💻       emergency  NONE   5.0ms  5.0ms  5.0ms    50ms     80.0%',
      '\\u{202e}evil  quote      emergency  NONE   5.0ms  5.0ms  5.0ms    50ms     90.0%',
    ]);
  });
});
