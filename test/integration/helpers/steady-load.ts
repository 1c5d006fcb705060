/**
 * A steady OTLP/HTTP load for integration tests against a collector in a child process: one
 * request of `spansPerRequest` finished `quote` spans (context `emergency`) every `periodMs`, sent
 * one at a time in order, `slow` of them taking `slowMs` and the rest `fastMs`. A request that is
 * refused (no listener while the agent restarts, a reset connection, any non-2xx answer) is sent
 * again, with the same body, until accepted, as an SDK exporter retries: every span is accepted
 * exactly once and what was accepted is recorded in order.
 */

/** The service every span comes from. */
export const LOAD_SERVICE = { namespace: 'shop', service: 'checkout' } as const;

/** One request the receiver answered 2xx for. */
export interface AcceptedRequest {
  readonly index: number;
  /** The OTLP/JSON body, exactly as sent. */
  readonly body: string;
  readonly spanIds: readonly string[];
  /** Spans over `slowMs` (bad events of a latency SLO under `slowMs`). */
  readonly slow: number;
  /** When the 2xx arrived, ms since the epoch (real time). */
  readonly acceptedAtMs: number;
}

export interface SteadyLoadOptions {
  /** Receiver base URL; requests go to `${url}/v1/traces`. */
  readonly url: string;
  readonly periodMs: number;
  readonly spansPerRequest: number;
  /** Slow spans per request; {@link SteadyLoad.slow} changes it. */
  readonly slow: number;
  readonly slowMs: number;
  readonly fastMs: number;
  /** Wait before sending a refused request again, ms. @default 50 */
  readonly retryMs?: number;
}

export class SteadyLoad {
  /** Accepted requests, in order. */
  readonly accepted: AcceptedRequest[] = [];
  /** Attempts refused (then retried), by what refused them: an HTTP status or `connection`. */
  readonly refused: Record<string, number> = {};
  /** Slow spans in the requests built from now on. */
  slow: number;
  readonly #options: SteadyLoadOptions;
  #inFlight = false;
  #stopped = false;
  #running: Promise<void> | undefined;

  constructor(options: SteadyLoadOptions) {
    this.#options = options;
    this.slow = options.slow;
  }

  /** Starts sending. */
  start(): void {
    this.#running ??= this.#run();
  }

  /** true while a request is sent and not yet answered 2xx (retries included). */
  get inFlight(): boolean {
    return this.#inFlight;
  }

  /** Every accepted span id, in order. */
  spanIds(): string[] {
    return this.accepted.flatMap((request) => request.spanIds);
  }

  /** Stops after the request in flight is accepted; resolves once nothing is in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }

  async #run(): Promise<void> {
    const { periodMs, retryMs = 50 } = this.#options;
    let dueMs = Date.now();
    for (let index = 0; !this.#stopped; index++) {
      const { body, spanIds, slow } = this.#build(index);
      this.#inFlight = true;
      for (;;) {
        const status = await post(`${this.#options.url}/v1/traces`, body);
        if (status === 'ok') break;
        this.refused[status] = (this.refused[status] ?? 0) + 1;
        // The agent restarts in its own time: bounded retrying, as an exporter's backoff.
        await delay(retryMs);
      }
      this.accepted.push({ index, body, spanIds, slow, acceptedAtMs: Date.now() });
      this.#inFlight = false;
      dueMs = Math.max(dueMs + periodMs, Date.now());
      // A steady pace on real time: the agent under test runs on it.
      await delay(dueMs - Date.now());
    }
  }

  #build(index: number): { body: string; spanIds: string[]; slow: number } {
    const { spansPerRequest, slowMs, fastMs } = this.#options;
    const slow = Math.min(this.slow, spansPerRequest);
    const endNs = BigInt(Date.now()) * 1_000_000n;
    const traceId = (0x1_0000_0000 + index).toString(16).padStart(32, '0');
    const spans = Array.from({ length: spansPerRequest }, (_, i) => {
      const durationMs = i < slow ? slowMs : fastMs;
      return {
        traceId,
        spanId: (index * 1000 + i + 1).toString(16).padStart(16, '0'),
        name: 'quote',
        kind: 2,
        startTimeUnixNano: String(endNs - BigInt(durationMs * 1_000_000)),
        endTimeUnixNano: String(endNs),
        attributes: [
          { key: 'headroom.budget.context', value: { stringValue: 'emergency' } },
          { key: 'headroom.operation', value: { stringValue: 'quote' } },
        ],
      };
    });
    const resource = {
      attributes: [
        { key: 'service.name', value: { stringValue: LOAD_SERVICE.service } },
        { key: 'service.namespace', value: { stringValue: LOAD_SERVICE.namespace } },
      ],
    };
    const body = JSON.stringify({
      resourceSpans: [{ resource, scopeSpans: [{ scope: { name: 'steady-load' }, spans }] }],
    });
    return { body, spanIds: spans.map((span) => span.spanId), slow };
  }
}

/** `ok` for a 2xx, else the status or `connection` (refused, reset). */
async function post(url: string, body: string): Promise<string> {
  try {
    const reply = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await reply.arrayBuffer();
    return reply.ok ? 'ok' : String(reply.status);
  } catch {
    return 'connection';
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
