/**
 * The HTTP side of the fuzzer: a real collector in a child process (fuzz/receiver-process.ts), fed
 * the cases over keep-alive connections on 127.0.0.1, scraped on its Prometheus endpoint, asked for
 * its memory. Its exit while running is a crash; it is then started again so the run goes on.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FuzzCase } from './cases.ts';
import { FUZZ_CONFIG_YAML } from './fuzz-config.ts';
import type { ReceiverMessage } from './receiver-process.ts';
import { StallWatch } from './stall-watch.ts';

/** What came back for one request. */
export interface HttpOutcome {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
  readonly body?: Buffer;
  /** A transport error before a response arrived, or `deadline` when it took too long. */
  readonly error?: string;
  /** Whether this process stalled while the request was out (the error may be the client's). */
  readonly stalled?: boolean;
}

const READY_TIMEOUT_MS = 60_000;
/**
 * Pooled connections idle longer than this are dropped before a request. The receiver closes
 * connections idle for 5 s (Node's keepAliveTimeout), and one reused just as it closes fails with
 * ECONNRESET: the client's race (Node's docs on `request.reusedSocket`), not a receiver fault.
 * (Node's agent only honours the server's `Keep-Alive: timeout` hint when given a `timeout`.)
 */
const IDLE_DROP_MS = 1000;

export class HttpTarget {
  readonly #dir = mkdtempSync(join(tmpdir(), 'headroom-fuzz-'));
  readonly #agent: HttpAgent;
  #child: ChildProcess | undefined;
  #urls: { receiverUrl: string; metricsUrl: string | undefined } | undefined;
  #peakRssBytes = 0;
  /** When each pooled connection was last released. */
  readonly #freedAtMs = new WeakMap<Socket, number>();
  readonly #stalls = new StallWatch();
  /** Exits of the child while it should have been running, with their code or signal. */
  readonly exits: string[] = [];

  constructor(concurrency: number) {
    this.#agent = new HttpAgent({ keepAlive: true, maxSockets: concurrency });
    this.#agent.on('free', (socket: Socket) => this.#freedAtMs.set(socket, performance.now()));
    writeFileSync(join(this.#dir, 'fuzz.yaml'), FUZZ_CONFIG_YAML);
  }

  /** Highest RSS the receiver processes reached, bytes (their own peak, from the kernel). */
  get peakRssBytes(): number {
    return this.#peakRssBytes;
  }

  /** Starts (or restarts) the receiver process and waits until it listens. */
  async start(): Promise<void> {
    const child = fork(join(import.meta.dirname, 'receiver-process.ts'), [join(this.#dir, 'fuzz.yaml')], {
      execArgv: [],
      cwd: this.#dir, // its default state store, data/headroom.db, goes with the rest
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child = child;
    child.on('message', (message: ReceiverMessage) => {
      if (message.type === 'memory') this.#peakRssBytes = Math.max(this.#peakRssBytes, message.peakRssBytes);
    });
    child.once('exit', (code, signal) => {
      if (this.#child === child) {
        this.exits.push(signal ?? `exit code ${code}`);
        this.#child = undefined;
        this.#urls = undefined;
      }
    });
    this.#urls = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the receiver did not start')), READY_TIMEOUT_MS);
      child.on('message', (message: ReceiverMessage) => {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        resolve(message);
      });
      child.once('exit', () => reject(new Error('the receiver exited while starting')));
    });
  }

  /** Whether the receiver process is running. */
  get running(): boolean {
    return this.#urls !== undefined;
  }

  /** Sends one case; resolves with what came back, never rejects. */
  send(fuzzCase: FuzzCase, deadlineMs: number): Promise<HttpOutcome> {
    const { envelope } = fuzzCase;
    const headers: Record<string, string | number> = { 'content-length': envelope.wire.length };
    if (envelope.contentType !== undefined) headers['content-type'] = envelope.contentType;
    if (envelope.contentEncoding !== undefined) headers['content-encoding'] = envelope.contentEncoding;
    return this.#request(envelope.method, envelope.path, headers, envelope.wire, deadlineMs);
  }

  /** GETs the Prometheus exposition. */
  scrape(deadlineMs: number): Promise<HttpOutcome> {
    const url = this.#urls?.metricsUrl;
    if (url === undefined) return Promise.resolve({ error: 'no metrics endpoint' });
    return this.#request('GET', new URL(url).pathname, {}, undefined, deadlineMs, new URL(url).origin);
  }

  /** Asks the receiver for its memory; resolves once answered (or at once when it is not running). */
  sampleMemory(): Promise<void> {
    const child = this.#child;
    if (child === undefined || !child.connected) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        child.off('message', onMessage);
        child.off('exit', done);
        resolve();
      };
      const onMessage = (message: ReceiverMessage) => {
        if (message.type === 'memory') done();
      };
      child.on('message', onMessage);
      child.once('exit', done);
      child.send({ type: 'memory' });
    });
  }

  /** Stops the receiver and removes the config file. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    this.#urls = undefined;
    this.#agent.destroy();
    this.#stalls.stop();
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' });
      await exited;
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #dropIdleConnections(): void {
    const nowMs = performance.now();
    for (const sockets of Object.values(this.#agent.freeSockets)) {
      for (const socket of sockets ?? []) {
        if (nowMs - (this.#freedAtMs.get(socket) ?? 0) > IDLE_DROP_MS) socket.destroy();
      }
    }
  }

  #request(
    method: string,
    path: string,
    headers: Record<string, string | number>,
    body: Buffer | undefined,
    deadlineMs: number,
    base = this.#urls?.receiverUrl,
  ): Promise<HttpOutcome> {
    if (base === undefined) return Promise.resolve({ error: 'receiver not running' });
    this.#dropIdleConnections();
    return new Promise((resolve) => {
      let settled = false;
      const mark = this.#stalls.mark();
      const finish = (outcome: HttpOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const stalled = outcome.error !== undefined && this.#stalls.stalledSince(mark);
        resolve(stalled ? { ...outcome, stalled } : outcome);
      };
      // The path as given (`new URL` would resolve `/v1/traces/../metrics` to `/v1/metrics`).
      const { hostname, port } = new URL(base);
      const request = httpRequest({ hostname, port, path, method, headers, agent: this.#agent });
      const timer = setTimeout(() => {
        finish({ error: 'deadline' });
        request.destroy();
      }, deadlineMs);
      let responded = false;
      // A write error after the answer arrived (the receiver refused early and closed) is no failure.
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (!responded) finish({ error: error.code ?? error.message });
      });
      request.on('response', (response) => {
        responded = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', () => {});
        response.on('close', () =>
          finish({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
      });
      request.end(body);
    });
  }
}
