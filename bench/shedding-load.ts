/**
 * Open-loop load generator of `bench/shedding.bench.ts` (not a benchmark itself): requests are
 * scheduled as a Poisson process at a fixed mean rate and sent when due, never waiting for
 * replies (a slow server does not slow the load, as real users do not); each carries its class in
 * W3C baggage (`baggage: headroom.criticality=<CLASS>`), drawn from a fixed mix with a seeded
 * random. Latency is counted from the scheduled moment (so a late send is not hidden: no
 * coordinated omission) to the end of the response.
 */
import { Agent, request } from 'node:http';
import { mulberry32 } from '../test/helpers/random.ts';

/** One class of the mix and its share of the requests (the shares add up to 1). */
export interface ClassShare {
  readonly criticality: string;
  readonly share: number;
}

/** One request: when it was due, how it ended. */
export interface SentRequest {
  readonly criticality: string;
  readonly scheduledMs: number;
  /** How late the generator sent it, ms. */
  lagMs: number;
  /** Response end; NaN while unanswered. */
  endMs: number;
  /** HTTP status; 0 while unanswered, -1 when the request failed without one. */
  status: number;
}

const PACING_INTERVAL_MS = 2;

export class OpenLoad {
  readonly #url: string;
  readonly #mix: readonly ClassShare[];
  readonly #random: () => number;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 4096, keepAliveMsecs: 10_000 });
  readonly requests: SentRequest[] = [];
  /** When {@link OpenLoad.start} was last called (performance.now()), ms. */
  startedMs = Number.NaN;
  #timer: NodeJS.Timeout | undefined;
  #rate = 0;
  #nextMs = 0;
  #open = 0;

  constructor(url: string, mix: readonly ClassShare[], seed: number) {
    this.#url = url;
    this.#mix = mix;
    this.#random = mulberry32(seed);
  }

  /** Requests sent and not answered yet. */
  get open(): number {
    return this.#open;
  }

  /** Sends at `perSecond` from now on (mean rate of a Poisson process). */
  start(perSecond: number): void {
    this.#rate = perSecond;
    this.startedMs = performance.now();
    this.#nextMs = performance.now() + this.#interval();
    this.#timer ??= setInterval(() => this.#tick(), PACING_INTERVAL_MS);
  }

  /** Stops sending; requests in flight go on. */
  pause(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Resolves once nothing is in flight or after `timeoutMs`, whichever comes first. */
  async settle(timeoutMs: number): Promise<void> {
    const untilMs = performance.now() + timeoutMs;
    while (this.#open > 0 && performance.now() < untilMs) await new Promise((r) => setTimeout(r, 20));
  }

  /** Stops, abandons what is in flight (it stays unanswered), closes the connections. */
  close(): void {
    this.pause();
    this.#agent.destroy();
  }

  #interval(): number {
    return (-Math.log(1 - this.#random()) / this.#rate) * 1000;
  }

  #tick(): void {
    const nowMs = performance.now();
    for (; this.#nextMs <= nowMs; this.#nextMs += this.#interval()) this.#send(this.#nextMs, nowMs);
  }

  #pick(): string {
    let u = this.#random();
    for (const { criticality, share } of this.#mix) {
      if (u < share) return criticality;
      u -= share;
    }
    return this.#mix[this.#mix.length - 1]!.criticality;
  }

  #send(scheduledMs: number, nowMs: number): void {
    const sent: SentRequest = {
      criticality: this.#pick(),
      scheduledMs,
      lagMs: nowMs - scheduledMs,
      endMs: Number.NaN,
      status: 0,
    };
    this.requests.push(sent);
    this.#open++;
    const done = (status: number) => {
      if (sent.status !== 0) return;
      sent.status = status;
      sent.endMs = performance.now();
      this.#open--;
    };
    const req = request(`${this.#url}/work`, {
      agent: this.#agent,
      headers: { baggage: `headroom.criticality=${sent.criticality}` },
    });
    req.on('response', (res) => res.on('end', () => done(res.statusCode ?? -1)).resume());
    req.on('error', () => done(-1));
    req.end();
  }
}

/** What one class did over a measured period. */
export interface ClassResult {
  readonly criticality: string;
  readonly sent: number;
  readonly offeredPerSecond: number;
  /** Answered 2xx. */
  readonly completed: number;
  /** Answered 503 (turned away by admission). */
  readonly rejected: number;
  /** Other statuses and failed requests. */
  readonly failed: number;
  /** Still unanswered when the period was read. */
  readonly unanswered: number;
  /** p95 latency of the completed and the unanswered ones (those count as infinitely late), ms. */
  readonly p95Ms: number;
  /** Completed within the budget, per second. */
  readonly goodputPerSecond: number;
}

/** Per class of `classes`, what the requests scheduled in [fromMs, toMs) did. */
export function summarize(
  requests: readonly SentRequest[],
  classes: readonly string[],
  fromMs: number,
  toMs: number,
  budgetMs: number,
): ClassResult[] {
  const seconds = (toMs - fromMs) / 1000;
  const period = requests.filter((r) => r.scheduledMs >= fromMs && r.scheduledMs < toMs);
  return classes.map((criticality) => {
    const own = period.filter((r) => r.criticality === criticality);
    const latencies = own
      .filter((r) => r.status === 0 || (r.status >= 200 && r.status < 300))
      .map((r) => (r.status === 0 ? Number.POSITIVE_INFINITY : r.endMs - r.scheduledMs));
    const count = (test: (r: SentRequest) => boolean) => own.filter(test).length;
    const good = count((r) => r.status >= 200 && r.status < 300 && r.endMs - r.scheduledMs <= budgetMs);
    return {
      criticality,
      sent: own.length,
      offeredPerSecond: own.length / seconds,
      completed: count((r) => r.status >= 200 && r.status < 300),
      rejected: count((r) => r.status === 503),
      failed: count((r) => r.status !== 0 && r.status !== 503 && (r.status < 200 || r.status >= 300)),
      unanswered: count((r) => r.status === 0),
      p95Ms: latencies.length === 0 ? Number.NaN : quantileWithInfinity(latencies, 0.95),
      goodputPerSecond: good / seconds,
    };
  });
}

/** {@link quantile} over samples that may hold Infinity (an unanswered request). */
function quantileWithInfinity(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.min(low + 1, sorted.length - 1);
  const [below, above] = [sorted[low]!, sorted[high]!];
  if (rank === low || above === Number.POSITIVE_INFINITY) return rank === low ? below : above;
  return below + (above - below) * (rank - low);
}

/** One second of a run as the load generator saw it (requests by the second they were due). */
export interface ClientSecond {
  /** Seconds since `startMs`. */
  readonly second: number;
  /** Per class: p95 latency (as in {@link ClassResult}) and the share answered 503. */
  readonly classes: readonly { readonly p95Ms: number; readonly rejectedShare: number }[];
  /** How late the load generator sent the latest of the second's requests, ms (its own stalls). */
  readonly lagMaxMs: number;
}

/** Per second since `startMs`, up to `toMs`: what each class of `classes` got. */
export function bySecond(
  requests: readonly SentRequest[],
  classes: readonly string[],
  startMs: number,
  toMs: number,
  budgetMs: number,
): ClientSecond[] {
  const seconds: ClientSecond[] = [];
  for (let s = 0; startMs + (s + 1) * 1000 <= toMs; s++) {
    const fromMs = startMs + s * 1000;
    const results = summarize(requests, classes, fromMs, fromMs + 1000, budgetMs);
    const lags = requests.filter((r) => r.scheduledMs >= fromMs && r.scheduledMs < fromMs + 1000);
    seconds.push({
      second: s + 1,
      lagMaxMs: Math.max(0, ...lags.map((r) => r.lagMs)),
      classes: results.map((r) => ({
        p95Ms: r.p95Ms,
        rejectedShare: r.sent === 0 ? 0 : r.rejected / r.sent,
      })),
    });
  }
  return seconds;
}
