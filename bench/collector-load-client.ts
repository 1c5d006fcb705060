/**
 * Load generator of `bench/collector-load.bench.ts` (not a benchmark itself): POSTs OTLP/HTTP
 * protobuf trace requests at a steady rate over keep-alive connections, paced by a timer.
 * Batches are real SDK spans (three services, eight semantic-convention attributes each, log-normal
 * durations) serialized by the official `ProtobufTraceSerializer`, rebuilt every second with current
 * end times: the receiver rejects end times a window ahead and the window drops late samples.
 */
import { Agent, request } from 'node:http';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { protobufPayload, type SpanSpec, spansOf } from '../test/collector/receiver/otlp-fixtures.ts';
import { mulberry32 } from '../test/helpers/random.ts';

/** Options of {@link LoadGenerator}. */
export interface LoadGeneratorOptions {
  /** Base URL of the receiver; requests go to `${url}/v1/traces`. */
  readonly url: string;
  readonly requestsPerSecond: number;
  /** @default 100 */
  readonly spansPerBatch?: number;
  /** Batches sent in turn; each is rebuilt once a second, one at a time. @default 10 */
  readonly distinctBatches?: number;
  /** Sends due while this many requests are unanswered are skipped (and counted). @default 32 */
  readonly maxInFlight?: number;
  /** Seed of the span contents (durations, routes, errors). @default 1 */
  readonly seed?: number;
}

/** What the generator did since the last {@link LoadGenerator.resetCounters}. */
export interface LoadCounters {
  readonly sent: number;
  /** Sends skipped because `maxInFlight` requests were unanswered. */
  readonly skipped: number;
  /** Responses by status code; `error` for requests that failed without one. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Time to the end of each response, ms. */
  readonly latenciesMs: readonly number[];
  readonly bodyBytes: number;
  readonly elapsedMs: number;
}

interface Service {
  readonly name: string;
  readonly share: number;
  readonly routes: readonly (readonly [method: string, route: string])[];
}

const SERVICES: readonly Service[] = [
  {
    name: 'frontend',
    share: 0.5,
    routes: [
      ['GET', '/'],
      ['GET', '/products/{id}'],
      ['POST', '/cart'],
    ],
  },
  {
    name: 'checkout',
    share: 0.2,
    routes: [
      ['POST', '/api/checkout'],
      ['GET', '/api/orders/{id}'],
    ],
  },
  {
    name: 'catalog',
    share: 0.3,
    routes: [
      ['GET', '/api/products'],
      ['GET', '/api/products/{id}'],
      ['GET', '/api/search'],
    ],
  },
];
/** Log-normal durations: median 25 ms, sigma 1 (p99 about 260 ms). */
const MEDIAN_DURATION_MS = 25;
const DURATION_SIGMA = 1;
const ERROR_RATIO = 0.01;
const PACING_INTERVAL_MS = 5;
/** Every batch is rebuilt once per this interval (one batch at a time, to keep the pacing even). */
const REBUILD_INTERVAL_MS = 1000;

export class LoadGenerator {
  readonly #options: Required<LoadGeneratorOptions>;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 16 });
  readonly #random: () => number;
  #batches: Uint8Array[] = [];
  #timers: NodeJS.Timeout[] = [];
  #startedMs = 0;
  #due = 0;
  #next = 0;
  #nextRebuild = 0;
  #inFlight = 0;
  #drained: (() => void) | undefined;
  #counters = emptyCounters();
  #countersSinceMs = 0;

  constructor(options: LoadGeneratorOptions) {
    this.#options = { spansPerBatch: 100, distinctBatches: 10, maxInFlight: 32, seed: 1, ...options };
    this.#random = mulberry32(this.#options.seed);
  }

  /** Average request body, bytes. */
  get batchBytes(): number {
    return this.#batches.reduce((sum, b) => sum + b.length, 0) / Math.max(1, this.#batches.length);
  }

  start(): void {
    const nowMs = Date.now();
    this.#batches = Array.from({ length: this.#options.distinctBatches }, () =>
      protobufPayload(this.#batch(nowMs)),
    );
    this.#startedMs = performance.now();
    this.resetCounters();
    this.#timers = [
      setInterval(() => this.#tick(), PACING_INTERVAL_MS),
      setInterval(() => this.#rebuildOne(), REBUILD_INTERVAL_MS / this.#options.distinctBatches),
    ];
  }

  /** Starts a new measuring interval: the counters count from now. */
  resetCounters(): void {
    this.#counters = emptyCounters();
    this.#countersSinceMs = performance.now();
  }

  counters(): LoadCounters {
    return { ...this.#counters, elapsedMs: performance.now() - this.#countersSinceMs };
  }

  /** Stops sending, waits for the requests in flight, closes the connections. */
  async stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
    this.#agent.destroy();
  }

  // Sends whatever the schedule says is due, so a late timer catches up instead of lowering the rate.
  #tick(): void {
    const dueNow = Math.floor(
      ((performance.now() - this.#startedMs) / 1000) * this.#options.requestsPerSecond,
    );
    for (; this.#due < dueNow; this.#due++) {
      if (this.#inFlight >= this.#options.maxInFlight) this.#counters.skipped++;
      else this.#send(this.#batches[this.#next++ % this.#batches.length]!);
    }
  }

  #send(body: Uint8Array): void {
    const sentMs = performance.now();
    this.#inFlight++;
    this.#counters.sent++;
    this.#counters.bodyBytes += body.length;
    const done = (status: string) => {
      this.#counters.statuses[status] = (this.#counters.statuses[status] ?? 0) + 1;
      this.#counters.latenciesMs.push(performance.now() - sentMs);
      if (--this.#inFlight === 0) this.#drained?.();
    };
    const req = request(`${this.#options.url}/v1/traces`, {
      method: 'POST',
      agent: this.#agent,
      headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
    });
    req.on('response', (res) => {
      res.on('end', () => done(String(res.statusCode))).resume();
    });
    req.on('error', () => done('error'));
    req.end(body);
  }

  #rebuildOne(): void {
    this.#batches[this.#nextRebuild++ % this.#batches.length] = protobufPayload(this.#batch(Date.now()));
  }

  /** One request's spans: each service its share, as its own resource, ending within the last second. */
  #batch(nowMs: number): ReadableSpan[] {
    return SERVICES.flatMap((service) => {
      const count = Math.round(service.share * this.#options.spansPerBatch);
      const specs = Array.from({ length: count }, () => this.#spanSpec(service, nowMs));
      return spansOf(
        { service: service.name, namespace: 'shop', scope: '@opentelemetry/instrumentation-http' },
        specs,
      );
    });
  }

  #spanSpec(service: Service, nowMs: number): SpanSpec {
    const [method, route] = service.routes[Math.floor(this.#random() * service.routes.length)]!;
    const error = this.#random() < ERROR_RATIO;
    const endMs = nowMs - this.#random() * 1000;
    const durationMs = MEDIAN_DURATION_MS * Math.exp(DURATION_SIGMA * gaussian(this.#random));
    return {
      name: `${method} ${route}`,
      kind: SpanKind.SERVER,
      startMs: endMs - durationMs,
      endMs,
      error,
      attributes: {
        'http.request.method': method,
        'http.route': route,
        'url.path': route.replace('{id}', String(Math.floor(this.#random() * 10_000))),
        'http.response.status_code': error ? 500 : 200,
        'server.address': `${service.name}.shop.svc.cluster.local`,
        'network.protocol.version': '1.1',
        'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)',
        'client.address': `10.0.${Math.floor(this.#random() * 256)}.${Math.floor(this.#random() * 256)}`,
      },
    };
  }
}

function emptyCounters() {
  return {
    sent: 0,
    skipped: 0,
    statuses: {} as Record<string, number>,
    latenciesMs: [] as number[],
    bodyBytes: 0,
  };
}

/** A standard normal variate (Box-Muller). */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
