/**
 * The open streams of `GET /api/v1/view/stream` (Server-Sent Events), each filtered by its caller's
 * namespace binding and `?namespace=`. A stream gets: `view` (the whole `GET /api/v1/view` answer)
 * first; `point` at each history step (every visible operation's values then); `service` (one
 * service without histories) after each degradation decision, override change or admission
 * decision of that service, and at a step when it is new or its operations or SLO statuses
 * changed; `evicted`
 * when the agent forgets a service; a `: keepalive` comment every `keepaliveMs`.
 */
import type { ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import type { Agent, Clock, ServiceId, TimerHandle } from '../agent/index.ts';
import { serviceKey } from '../agent/index.ts';
import { BoundedWriter, type Chunks } from './bounded-writer.ts';
import { type OperationNow, pointOf } from './operation-now.ts';
import type { PendingBudget } from './pending-budget.ts';
import { formatSseComment, formatSseEvent } from './sse-format.ts';
import type { Principal } from './token-auth.ts';
import type { PointEvent } from './types.ts';
import { filterKey } from './view-cache.ts';
import type { ViewHistory } from './view-history.ts';
import { admits, type ViewFilter, type ViewModel } from './view-model.ts';

/** Options of {@link ViewStream}. */
export interface ViewStreamOptions {
  readonly agent: Agent;
  readonly model: ViewModel;
  readonly history: ViewHistory;
  /** Interval of `: keepalive` comments, ms, on `clock`. @default 15000 */
  readonly keepaliveMs?: number | undefined;
  /** @default the agent's clock */
  readonly clock?: Clock | undefined;
  /** The bytes all answers may hold pending together (`api.maxPendingSize`); none: no shared bound. */
  readonly budget?: PendingBudget | undefined;
}

interface Subscriber {
  readonly response: ServerResponse;
  readonly writer: BoundedWriter;
  readonly filter: ViewFilter;
  readonly keepalive: TimerHandle;
}

const HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/** Fans the view's events out to the open streams. */
export class ViewStream {
  readonly #model: ViewModel;
  readonly #clock: Clock;
  readonly #keepaliveMs: number;
  readonly #budget: PendingBudget | undefined;
  readonly #subscribers = new Set<Subscriber>();
  readonly #stops: (() => void)[];
  /** Per service, its operations and SLO statuses at the last step (to send `service` on change). */
  #lastSignatures = new Map<string, string>();

  constructor(options: ViewStreamOptions) {
    const { agent } = options;
    this.#model = options.model;
    this.#clock = options.clock ?? agent.clock;
    this.#keepaliveMs = options.keepaliveMs ?? 15_000;
    this.#budget = options.budget;
    this.#stops = [
      agent.onDecision((decision) => this.#serviceChanged(decision)),
      agent.onAdmissionDecision((decision) => this.#serviceChanged(decision)),
      agent.onServiceEvicted((id) => this.#evicted(id)),
      options.history.onStep((atMs, operations) => this.#step(atMs, operations)),
    ];
  }

  /** Streams open now. */
  get size(): number {
    return this.#subscribers.size;
  }

  /** Answers a HEAD of the stream: the headers a GET gets, no stream. */
  head(response: ServerResponse): void {
    response.writeHead(200, { ...HEADERS, 'x-headroom-instance': this.#model.instanceId });
    response.end();
  }

  /**
   * Starts streaming on `response` (headers not sent yet): the `view` event first, `view` being the
   * serialized `GET /api/v1/view` answer for `filter` (view-cache.ts: shared, not copied).
   */
  open(response: ServerResponse, filter: ViewFilter, view: Buffer): void {
    response.writeHead(200, { ...HEADERS, 'x-headroom-instance': this.#model.instanceId });
    response.flushHeaders();
    // The clock's timers are unref'd: a stream never keeps the process alive.
    const keepalive = this.#clock.every(this.#keepaliveMs, () =>
      this.#write(subscriber, formatSseComment('keepalive')),
    );
    const writer = new BoundedWriter(response, 'view stream', this.#clock, { budget: this.#budget });
    const subscriber: Subscriber = { response, writer, filter, keepalive };
    this.#subscribers.add(subscriber);
    response.on('close', () => this.#drop(subscriber));
    response.on('error', (error) => diag.debug('headroom: view stream write failed', error));
    if (response.socket === null || response.socket.destroyed) this.#drop(subscriber);
    else this.#write(subscriber, [VIEW_EVENT_HEAD, view, EVENT_TAIL]);
  }

  /** Ends the streams of callers `keep` no longer lets in (a token removed by a reload). */
  endUnless(keep: (principal: Principal) => boolean): void {
    for (const subscriber of this.#subscribers) {
      if (keep(subscriber.filter.principal)) continue;
      subscriber.response.end();
      this.#drop(subscriber);
    }
  }

  /** Ends every stream and stops following the agent. */
  close(): void {
    for (const stop of this.#stops) stop();
    for (const subscriber of this.#subscribers) {
      subscriber.response.end();
      this.#drop(subscriber);
    }
  }

  #serviceChanged(id: ServiceId): void {
    for (const subscriber of this.#subscribers) {
      const service = this.#model.service(subscriber.filter, id);
      if (service !== undefined) this.#write(subscriber, event('service', service));
    }
  }

  #step(atMs: number, operations: readonly OperationNow[]): void {
    if (this.#subscribers.size === 0) {
      this.#lastSignatures.clear();
      return;
    }
    const changed = this.#changedServices(operations);
    // One text per filter, shared by its streams (as the first view is).
    const texts = new Map<string, Buffer>();
    for (const subscriber of this.#subscribers) {
      const key = filterKey(subscriber.filter);
      let text = texts.get(key);
      if (text === undefined) {
        const points = operations.filter((now) => admits(subscriber.filter, now.series)).map(pointOf);
        const data: PointEvent = { atMs, points };
        text = Buffer.from(event('point', data));
        texts.set(key, text);
      }
      this.#write(subscriber, text);
    }
    for (const id of changed) this.#serviceChanged(id);
  }

  /**
   * The services new since the last step, or whose operations or SLO statuses changed: their
   * `service` event carries what a `point` cannot (a new service or operation, the SLOs).
   */
  #changedServices(operations: readonly OperationNow[]): ServiceId[] {
    const next = new Map<string, string>();
    const changed: ServiceId[] = [];
    const byService = new Map<string, { id: ServiceId; operations: string[] }>();
    for (const { series } of operations) {
      const key = serviceKey(series);
      const entry = byService.get(key) ?? { id: series, operations: [] };
      entry.operations.push(`${series.context}\u0000${series.operation}`);
      byService.set(key, entry);
    }
    for (const [key, { id, operations: names }] of byService) {
      const slos = this.#model.service({ principal: EVERYONE }, id)?.slos ?? [];
      const signature = `${names.sort().join('\u0001')}\u0002${JSON.stringify(slos)}`;
      next.set(key, signature);
      if (this.#lastSignatures.get(key) !== signature)
        changed.push({ namespace: id.namespace, service: id.service });
    }
    this.#lastSignatures = next;
    return changed;
  }

  #evicted(id: ServiceId): void {
    const data = { namespace: id.namespace, service: id.service };
    for (const subscriber of this.#subscribers)
      if (admits(subscriber.filter, id)) this.#write(subscriber, event('evicted', data));
  }

  /** Never throws: it runs from timers and from the agent's tick. */
  #write(subscriber: Subscriber, text: Chunks): void {
    subscriber.writer.write(text);
  }

  #drop(subscriber: Subscriber): void {
    subscriber.keepalive.cancel();
    this.#subscribers.delete(subscriber);
  }
}

/** Sees every service: the SLO comparison is the same for every caller. */
const EVERYONE: Principal = Object.freeze({ name: 'view', scopes: new Set<never>() });

/** The `view` event around its JSON (which holds no line break: one `data:` line). */
const VIEW_EVENT_HEAD = Buffer.from('event: view\ndata: ');
const EVENT_TAIL = Buffer.from('\n\n');

function event(name: string, data: unknown): string {
  return formatSseEvent({ event: name, data: JSON.stringify(data) });
}
