import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../agent/index.ts';
import { parseConfig } from '../../../config/index.ts';
import { type ForwarderStats, OtlpForwarder } from '../../../exporters/otlp/index.ts';
import { OtlpSink, until } from '../../helpers/otlp-sink.ts';

const JSON_TYPE = 'application/json';
const NONE = { queue_full: 0, retries_exhausted: 0, non_retryable: 0, shutdown: 0, unconvertible: 0 };

/** The resolved `exporters.otlp` section for `otlp` (YAML shape). */
function otlpConfig(otlp: object) {
  const text = JSON.stringify({ exporters: { otlp: { compression: 'none', ...otlp } } });
  return parseConfig([{ file: 'inline.yaml', text }], {}).exporters.otlp;
}

/** An OTLP/JSON trace request body (its content does not matter to the forwarder). */
const body = (tag: string) => Buffer.from(JSON.stringify({ resourceSpans: [], tag }));

let sink: OtlpSink;
let forwarder: OtlpForwarder | undefined;
let clock: ManualClock;
beforeEach(async () => {
  sink = await OtlpSink.start();
  clock = new ManualClock();
});
afterEach(async () => {
  const closing = forwarder?.shutdown(100);
  await clock.advanceAsync(100);
  await closing;
  await sink.stop();
  forwarder = undefined;
});

/** Shuts `forwarder` down with a bound of `boundMs` on the clock; checks it waits exactly that long. */
async function shutdownAtBound(boundMs: number): Promise<boolean> {
  let done = false;
  const closing = forwarder?.shutdown(boundMs).finally(() => {
    done = true;
  });
  await clock.advanceAsync(boundMs - 1);
  expect(done).toBe(false);
  await clock.advanceAsync(1);
  return (await closing) ?? true;
}

function stats(partial: Partial<ForwarderStats>): ForwarderStats {
  return {
    signal: 'traces',
    sentItems: 0,
    sentRequests: 0,
    dropped: NONE,
    retries: 0,
    queueSize: 0,
    queueCapacity: 100,
    queuedBytes: 0,
    keptItems: 0,
    ...partial,
  };
}

describe('OtlpForwarder', () => {
  it('should bound its queue in spans, not requests, and count a refused request by its spans', async () => {
    sink.script('hang');
    forwarder = await OtlpForwarder.create(
      otlpConfig({ endpoint: sink.endpoint, queue: { maxSize: 100 } }),
      'traces',
    );
    const sizes = [60, 40, 1, 30];
    const bodies = sizes.map((_, i) => body(`r${i}`));
    for (const [i, spans] of sizes.entries()) forwarder.forward(bodies[i] as Buffer, JSON_TYPE, spans);
    const held = (bodies[0]?.length ?? 0) + (bodies[1]?.length ?? 0);
    // 60 + 40 fill the 100 spans exactly (the first is in flight); 1 more span does not fit.
    expect(forwarder.stats()).toEqual(
      stats({ dropped: { ...NONE, queue_full: 31 }, queueSize: 100, queuedBytes: held }),
    );
  });

  it('should hold at most queue.maxSize spans however many requests carry them (200 x 200 spans)', async () => {
    sink.script('hang');
    forwarder = await OtlpForwarder.create(otlpConfig({ endpoint: sink.endpoint }), 'traces');
    const request = body('r');
    for (let i = 0; i < 200; i++) forwarder.forward(request, JSON_TYPE, 200);
    expect(forwarder.stats()).toEqual(
      stats({
        dropped: { ...NONE, queue_full: 190 * 200 },
        queueSize: 2000,
        queueCapacity: 2048,
        queuedBytes: 10 * request.length,
      }),
    );
  });

  it('should forward requests unchanged and count spans sent, with metric data points for metrics', async () => {
    forwarder = await OtlpForwarder.create(
      otlpConfig({ endpoint: sink.endpoint, queue: { maxSize: 10 } }),
      'metrics',
    );
    const payload = Buffer.from(JSON.stringify({ resourceMetrics: [] }));
    forwarder.forward(payload, JSON_TYPE, 7);
    forwarder.forward(payload, JSON_TYPE, 3);
    forwarder.forward(payload, JSON_TYPE, 1);
    await until(() => forwarder?.stats().queueSize === 0, 5000, 'queue drained');
    expect(forwarder.stats()).toEqual(
      stats({
        signal: 'metrics',
        sentItems: 10,
        sentRequests: 2,
        dropped: { ...NONE, queue_full: 1 },
        queueCapacity: 10,
      }),
    );
    expect(sink.requests.map((r) => [r.path, r.contentType, r.reply])).toEqual([
      ['/v1/metrics', JSON_TYPE, 200],
      ['/v1/metrics', JSON_TYPE, 200],
    ]);
  });

  it('should give up at the shutdown bound, with the backend hanging, and count every held span', async () => {
    sink.script('hang', 'hang');
    const config = otlpConfig({ endpoint: sink.endpoint, queue: { maxSize: 100 } });
    forwarder = await OtlpForwarder.create(config, 'traces', { clock });
    forwarder.forward(body('a'), JSON_TYPE, 5);
    forwarder.forward(body('b'), JSON_TYPE, 7);
    expect(await shutdownAtBound(300)).toBe(false);
    forwarder.forward(body('c'), JSON_TYPE, 2);
    expect(forwarder.stats()).toEqual(stats({ dropped: { ...NONE, shutdown: 14 } }));
  });

  it('should give up at the shutdown bound while waiting out a backoff, with the backend down', async () => {
    const down = await OtlpSink.start();
    const endpoint = down.endpoint;
    await down.stop();
    forwarder = await OtlpForwarder.create(otlpConfig({ endpoint, queue: { maxSize: 100 } }), 'traces', {
      clock,
    });
    forwarder.forward(body('a'), JSON_TYPE, 3);
    // The connection is refused (real I/O, hence a bounded real-time poll); the first backoff
    // (2.5 s to 7.5 s on the clock) is then the one timer pending.
    await vi.waitFor(() => expect(clock.pendingTimers).toBe(1), { timeout: 5000, interval: 5 });
    expect(await shutdownAtBound(200)).toBe(false);
    expect(forwarder.stats()).toEqual(stats({ dropped: { ...NONE, shutdown: 3 } }));
  });
});
