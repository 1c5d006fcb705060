/**
 * `headroom top`: the live view in a terminal, read from a real view stream (the embedded view
 * listener over a seeded ManualClock agent): one exact screen with --once, redraws in place as
 * events arrive, and a clear line and exit 1 when the view cannot be read.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../app/cli/main.ts';
import { renderTop, TopScreen } from '../../app/cli/top-screen.ts';
import { runCli } from '../helpers/cli.ts';
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
function viewOf(services: unknown[]) {
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

  it('should redraw in place at each event and exit 1 when the stream ends', async () => {
    view = await startSeededView();
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
    };
    const running = main(['top', '--url', view.url, '--token', TOKENS.reader], io);
    await vi.waitFor(() => expect(stdout.split(CLEAR)).toHaveLength(2));
    recordTraffic(view.agent, view.clock);
    view.agent.tick();
    // A frame per event: the point, then the two services new at that step.
    await vi.waitFor(() => expect(stdout.split(CLEAR)).toHaveLength(5));
    expect(stdout.split(CLEAR).at(-1)?.split('\n').slice(2, 6)).toEqual([
      'SERVICE            OPERATION  CONTEXT    LEVEL    P50    P95    P99  BUDGET  HEADROOM',
      'payments/checkout  quote      emergency  NONE    40ms   40ms   40ms    50ms     20.0%',
      'payments/checkout  browse     routine    NONE   100ms  100ms  100ms   200ms     50.0%',
      'search/search      query      routine    NONE   100ms  100ms  100ms   200ms         -',
    ]);
    await view.close();
    view = undefined;
    expect(await running).toBe(1);
    expect(stderr).toMatch(/^headroom top: http:\/\/127\.0\.0\.1:\d+ ended the stream\n$/);
  });

  it('should say why and exit 1 when refused or unreachable, and 2 for a bad --url', async () => {
    view = await startSeededView();
    expect(await runCli(['top', '--url', view.url, '--once'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `headroom top: ${view.url} answered 401: this request needs a bearer token with the "read" scope\n`,
    });
    const port = await freePort();
    const unreachable = await runCli(['top', '--url', `http://127.0.0.1:${port}`, '--once']);
    expect(unreachable).toEqual({
      code: 1,
      stdout: '',
      stderr: `headroom top: cannot reach http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`,
    });
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
    const frame = renderTop(view as Parameters<typeof renderTop>[0], 'here', undefined);
    expect(frame.split('\n')[3]).toBe(
      'n\\x00s/evil\\x1b[2J\\x07\\x7fé  a\\x0db\\x9b2J  emergency  NONE   5.0ms  5.0ms  5.0ms    50ms     90.0%',
    );
    const controls = [...frame.replaceAll('\n', '')].filter(
      (c) => c < ' ' || (c >= '\u007f' && c <= '\u009f'),
    );
    expect(controls).toEqual([]);
  });
});
