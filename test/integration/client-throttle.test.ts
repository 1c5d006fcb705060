/**
 * A client throttling its calls to a real HTTP backend that sheds: while the backend accepts C
 * calls per second and answers 503 to the rest, the client sends about K x C per second and
 * rejects the others itself (Google SRE, "Handling Overload"); once the backend accepts everything
 * again, the client sends everything again. Time is a manual clock shared by both sides (the
 * backend's capacity is per clock second); the calls and replies are real HTTP on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../agent/index.ts';
import { startEmbedded } from '../../app/start.ts';
import type { EmbeddedHeadroom } from '../../instrumentation/index.ts';
import { ScriptedLoad } from '../helpers/agent.ts';
import { freePort } from '../helpers/free-port.ts';
import { mulberry32 } from '../helpers/random.ts';
import { checkMetrics } from './helpers/prometheus.ts';

const ATTEMPTS_PER_SECOND = 50;
const CAPACITY_PER_SECOND = 5;
const K = 2;
const WINDOW_SECONDS = 10;

/** A backend that accepts `capacity` calls per clock second (unlimited when undefined), 503 beyond. */
class SheddingBackend {
  capacity: number | undefined = CAPACITY_PER_SECOND;
  received = 0;
  accepted = 0;
  #second = -1;
  #acceptedThisSecond = 0;
  readonly #clock: ManualClock;
  readonly server: Server;

  constructor(clock: ManualClock) {
    this.#clock = clock;
    this.server = createServer((request, response) => {
      request.resume();
      this.received++;
      const second = Math.floor(this.#clock.now() / 1000);
      if (second !== this.#second) [this.#second, this.#acceptedThisSecond] = [second, 0];
      if (this.capacity !== undefined && this.#acceptedThisSecond >= this.capacity) {
        response.writeHead(503, { 'retry-after': '1', 'content-type': 'text/plain' }).end('overloaded');
        return;
      }
      this.#acceptedThisSecond++;
      this.accepted++;
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/work`;
  }
}

describe('client-side throttling against a real backend that sheds', () => {
  const clock = new ManualClock(1_700_000_000_000);
  const backend = new SheddingBackend(clock);
  let url: string;
  let metricsPort: number;
  let headroom: EmbeddedHeadroom;

  beforeAll(async () => {
    url = await backend.listen();
    metricsPort = await freePort();
    headroom = startEmbedded({
      config: {
        service: { name: 'frontend' },
        admission: { clientThrottle: { window: `${WINDOW_SECONDS}s` } },
        exporters: { prometheus: { port: metricsPort } },
      },
      env: {},
      registerGlobal: false,
      loadSampler: new ScriptedLoad(),
      clock,
      random: mulberry32(15),
    });
  });

  afterAll(async () => {
    await headroom.shutdown();
    backend.server.closeAllConnections();
    await new Promise((resolve) => backend.server.close(resolve));
  });

  /** One clock second of attempts, evenly spaced; what the backend received and the client throttled. */
  async function second(): Promise<{ received: number; throttled: number }> {
    const before = backend.received;
    let throttled = 0;
    for (let i = 0; i < ATTEMPTS_PER_SECOND; i++) {
      const result = await headroom.throttle('backend').run(() => fetch(url).then(drained));
      if (result.throttled) throttled++;
      clock.advance(1000 / ATTEMPTS_PER_SECOND);
    }
    return { received: backend.received - before, throttled };
  }

  async function seconds(n: number) {
    const all = [];
    for (let i = 0; i < n; i++) all.push(await second());
    return all;
  }

  it('should send about K x what the backend accepts, then everything once it recovers', async () => {
    // Overload: three windows; the last one is the steady state.
    const overload = await seconds(3 * WINDOW_SECONDS);
    const steady = overload.slice(-WINDOW_SECONDS);
    const sentPerSecond = sum(steady.map((s) => s.received)) / WINDOW_SECONDS;
    // p = (requests - K x accepts) / (requests + 1) settles where the client sends K x C per second.
    expect(sentPerSecond).toBeGreaterThanOrEqual(0.75 * K * CAPACITY_PER_SECOND);
    expect(sentPerSecond).toBeLessThanOrEqual(1.25 * K * CAPACITY_PER_SECOND);
    const probability = headroom.throttle('backend').probability();
    expect(probability).toBeGreaterThan(0.7);
    expect(probability).toBeLessThan(0.9);

    // Recovery: p falls as accepts catch up with requests / K; in the second window of a healthy
    // backend (the throttled calls of the first one have left it) every call goes out.
    backend.capacity = undefined;
    const recovery = await seconds(2 * WINDOW_SECONDS);
    const rising = recovery.slice(0, WINDOW_SECONDS).map((s) => s.received);
    expect(rising[0]).toBeLessThan(ATTEMPTS_PER_SECOND);
    expect(rising.at(-1)).toBeGreaterThan(rising[0] as number);
    expect(recovery.slice(WINDOW_SECONDS + 2)).toEqual(
      Array(WINDOW_SECONDS - 2).fill({ received: ATTEMPTS_PER_SECOND, throttled: 0 }),
    );
    expect(headroom.throttle('backend').probability()).toBe(0);

    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const total = (overload.length + recovery.length) * ATTEMPTS_PER_SECOND;
    const labels = 'service="frontend",target="backend",criticality="CRITICAL"';
    expect(text.split('\n').filter((line) => line.includes('headroom_client_throttle_'))).toEqual([
      '# HELP headroom_client_throttle_requests_total Outbound calls attempted through headroom.throttle(target), by target, criticality and outcome (sent; throttled: rejected locally, never sent).',
      '# TYPE headroom_client_throttle_requests_total counter',
      `headroom_client_throttle_requests_total{${labels},outcome="sent"} ${backend.received}`,
      `headroom_client_throttle_requests_total{${labels},outcome="throttled"} ${total - backend.received}`,
      '# HELP headroom_client_throttle_results_total Sent outbound calls by how the backend took them, by target, criticality and outcome (accepted; refused: HTTP 429 or 503, or failed without a reply; aborted: by the caller, counted in neither).',
      '# TYPE headroom_client_throttle_results_total counter',
      `headroom_client_throttle_results_total{${labels},outcome="accepted"} ${backend.accepted}`,
      `headroom_client_throttle_results_total{${labels},outcome="refused"} ${backend.received - backend.accepted}`,
      `headroom_client_throttle_results_total{${labels},outcome="aborted"} 0`,
      "# HELP headroom_client_throttle_rejection_probability Probability that a new call to the target in this class is rejected locally now: max(0, (requests - k x accepts) / (requests + 1)) over admission.clientThrottle.window (Google SRE's client-side throttling).",
      '# TYPE headroom_client_throttle_rejection_probability gauge',
      `headroom_client_throttle_rejection_probability{${labels}} 0`,
    ]);
    expect(checkMetrics(text)).toEqual({ status: 0, output: '' });
  });
});

async function drained(response: Response): Promise<Response> {
  await response.arrayBuffer();
  return response;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
