/**
 * The service of `bench/shedding.bench.ts` (not a benchmark itself), run in its own process:
 *   node bench/shedding-service.ts --config headroom.yaml [--slots 8] [--service-ms 80]
 * A node:http server on 127.0.0.1 port 0 whose listener is wrapped by Headroom's HTTP middleware
 * (`budgetListener`, the source of `headroom-otel/http`) with the route `/work`. Each request
 * holds one of `slots` slots for `service-ms` (a timer, not CPU: the capacity, slots / service
 * time, holds on 2 cores shared with the load generator) and waits in a FIFO queue for a free
 * slot otherwise; it ignores its deadline, as a service that does not read `requestBudget(req)`.
 * Talks to its parent over IPC: `{ kind: 'listening', url }` once up, then once a second a
 * {@link ServiceSecond} (what the controller and the queue did); exits on SIGTERM or disconnect.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { startEmbedded } from '../app/start.ts';
import { budgetListener } from '../instrumentation/http/http.ts';
import { type ProcessSecond, StallProbe } from './shedding-probe.ts';

/** The service's state over one second, sent to the parent. */
export interface ServiceSecond {
  readonly kind: 'second';
  /** When the second ended: epoch ms (`performance.timeOrigin + performance.now()`, sub-ms). */
  readonly atMs: number;
  /** The service's degradation level at the end of the second. */
  readonly level: string;
  /** The load factor the service's budgets are multiplied by (1 = as configured). */
  readonly loadFactor: number;
  /** The admission controller's rejection probability per class that admission may reject. */
  readonly rejection: Readonly<Record<string, number>>;
  /** Requests waiting for a slot at the end of the second. */
  readonly queued: number;
  /** Requests that got a slot during the second (reached the handler: admitted). */
  readonly started: number;
  /** The longest time a request answered during the second spent in this process (listener to end), ms. */
  readonly servedMaxMs: number;
  /** The agent's evaluation ticks during the second and the longest one, ms. */
  readonly ticks: number;
  readonly tickMaxMs: number;
  /** This process's event loop, GC and heap over the second. */
  readonly process: ProcessSecond;
}

/** The service's first message: where it listens. */
export interface ServiceListening {
  readonly kind: 'listening';
  readonly url: string;
}

const { values: args } = parseArgs({
  options: {
    config: { type: 'string' },
    slots: { type: 'string', default: '8' },
    'service-ms': { type: 'string', default: '80' },
  },
});
const slots = Number(args.slots);
const serviceMs = Number(args['service-ms']);

const headroom = startEmbedded({ configFiles: [args.config!] });
const SHEDDABLE = ['CRITICAL', 'SHEDDABLE_PLUS', 'SHEDDABLE'] as const;
const SERVICE_NAME = headroom.agent.config.service.name!; // the YAML names it

/** A fixed number of slots, taken in arrival order. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  #head = 0;
  started = 0;

  constructor(count: number) {
    this.#free = count;
  }

  get queued(): number {
    return this.#waiting.length - this.#head;
  }

  /** Runs `work` once a slot is free; the slot is held until `work`'s release is called. */
  take(work: (release: () => void) => void): void {
    const run = () => {
      this.started++;
      work(() => this.#release());
    };
    if (this.#free > 0) {
      this.#free--;
      run();
    } else this.#waiting.push(run);
  }

  #release(): void {
    if (this.#head < this.#waiting.length) {
      const next = this.#waiting[this.#head++]!;
      if (this.#head > 4096) {
        this.#waiting.splice(0, this.#head);
        this.#head = 0;
      }
      next();
    } else this.#free++;
  }
}

const work = new Slots(slots);

function handle(_request: IncomingMessage, response: ServerResponse): void {
  work.take((release) => {
    setTimeout(() => {
      release();
      response.end('ok');
    }, serviceMs);
  });
}

const listener = budgetListener(headroom, handle, { routes: ['/work'] });
let servedMaxMs = 0;
const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
  const arrivedMs = performance.now();
  response.once('finish', () => {
    servedMaxMs = Math.max(servedMaxMs, performance.now() - arrivedMs);
  });
  listener(request, response);
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  send({ kind: 'listening', url: `http://127.0.0.1:${port}` } satisfies ServiceListening);
});

const probe = new StallProbe();
let ticks = 0;
let tickMaxMs = 0;
headroom.agent.onTick(({ durationMs }) => {
  ticks++;
  tickMaxMs = Math.max(tickMaxMs, durationMs);
});

setInterval(() => {
  send({
    kind: 'second',
    atMs: performance.timeOrigin + performance.now(),
    level: headroom.level,
    loadFactor: headroom.agent.load.factor,
    rejection: rejectionProbabilities(),
    queued: work.queued,
    started: work.started,
    servedMaxMs,
    ticks,
    tickMaxMs,
    process: probe.read(),
  } satisfies ServiceSecond);
  work.started = 0;
  servedMaxMs = 0;
  ticks = 0;
  tickMaxMs = 0;
}, 1000);

/** The admission controller's rejection probability per class. */
function rejectionProbabilities(): Record<string, number> {
  const controller = headroom.agent.admission(SERVICE_NAME);
  return Object.fromEntries(SHEDDABLE.map((c) => [c, controller.probability(c)]));
}

function send(message: ServiceListening | ServiceSecond): void {
  if (process.connected) process.send!(message);
}

const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('disconnect', stop);
