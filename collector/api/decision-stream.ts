/**
 * The open Server-Sent Events streams of `GET /api/v1/decisions/stream`, each filtered by the
 * `namespace` and `service` it asked for and by its caller's namespace. A new stream gets, in
 * order: the decisions it missed when it sends a `Last-Event-ID` naming one service (replayed from
 * that service's audit log), then one `state` event per visible service (authoritative, so a client
 * is correct even when the replay was incomplete or the agent restarted), then each new `decision`
 * as it happens and a `: keepalive` comment every `keepaliveMs`. The stream opens with an `agent`
 * event naming the agent instance (also in the `x-headroom-instance` header and in every `state`),
 * and a stream that names one service always gets its state, `unknown` at NONE when the agent does
 * not know it: a client never keeps a level that no agent holds. Each `state` is followed by the
 * service's `admission-state` (its rejection probabilities), and each admission decision goes out
 * as an `admission-decision` followed by the service's `admission-state` then.
 */
import type { ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import type { FastifyReply } from 'fastify';
import type {
  AdmissionDecision,
  Clock,
  DegradationDecision,
  DegradationManager,
  DegradationState,
  ServiceId,
  TimerHandle,
} from '../../agent/index.ts';
import { BoundedWriter, formatSseComment, type PendingBudget, type Principal } from '../../view/index.ts';
import type { ServiceCatalog } from './service-catalog.ts';
import { parseDecisionEventId } from './sse-format.ts';
import {
  admissionDecisionEvent,
  admissionStateEvent,
  agentEvent,
  decisionEvent,
  stateEvent,
  unknownStateEvent,
} from './stream-events.ts';

/** Options of {@link DecisionStream}. */
export interface DecisionStreamOptions {
  readonly catalog: ServiceCatalog;
  /** The agent's instance id (`Agent.instanceId`), sent first on every stream and in every `state`. */
  readonly instanceId: string;
  /** Interval of `: keepalive` comments, ms. @default 15000 */
  readonly keepaliveMs?: number;
  /** Schedules the keepalives (the agent's clock). */
  readonly clock: Clock;
  /** The bytes all answers may hold pending together (`api.maxPendingSize`); none: no shared bound. */
  readonly budget?: PendingBudget | undefined;
}

/** What a stream asked for. */
export interface StreamRequest {
  readonly principal: Principal;
  /** Only services of this namespace ('' the empty one); `undefined` for every namespace. */
  readonly namespace?: string | undefined;
  /** Only services of this name; `undefined` for every name. */
  readonly service?: string | undefined;
  /** The `Last-Event-ID` header (see `decisionEventId`). */
  readonly lastEventId?: string | undefined;
}

interface Subscriber {
  readonly response: ServerResponse;
  readonly writer: BoundedWriter;
  readonly principal: Principal;
  readonly namespace: string | undefined;
  readonly service: string | undefined;
  readonly keepalive: TimerHandle;
}

/** Whether a stream's filters let the service `id` through (the caller's namespace is checked apart). */
function wanted(filter: Pick<StreamRequest, 'namespace' | 'service'>, id: ServiceId): boolean {
  return (
    (filter.namespace === undefined || filter.namespace === id.namespace) &&
    (filter.service === undefined || filter.service === id.service)
  );
}

const HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  // nginx buffers responses unless told otherwise.
  'x-accel-buffering': 'no',
};

/** Fans decisions out to the open streams, each filtered by its request and its caller's namespace. */
export class DecisionStream {
  readonly #catalog: ServiceCatalog;
  readonly #keepaliveMs: number;
  readonly #clock: Clock;
  readonly #instanceId: string;
  readonly #budget: PendingBudget | undefined;
  readonly #subscribers = new Set<Subscriber>();

  constructor(options: DecisionStreamOptions) {
    this.#catalog = options.catalog;
    this.#keepaliveMs = options.keepaliveMs ?? 15_000;
    this.#clock = options.clock;
    this.#instanceId = options.instanceId;
    this.#budget = options.budget;
  }

  /** Streams open now. */
  get size(): number {
    return this.#subscribers.size;
  }

  /** Takes over `reply` (fastify no longer answers it) and starts streaming. */
  open(reply: FastifyReply, request: StreamRequest): void {
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, { ...HEADERS, 'x-headroom-instance': this.#instanceId });
    response.flushHeaders();
    // Never what keeps the process alive: the clock's timers are unref'd.
    const keepalive = this.#clock.every(this.#keepaliveMs, () =>
      this.#write(subscriber, formatSseComment('keepalive')),
    );
    const subscriber: Subscriber = {
      response,
      writer: new BoundedWriter(response, 'decision stream', this.#clock, { budget: this.#budget }),
      principal: request.principal,
      namespace: request.namespace,
      service: request.service,
      keepalive,
    };
    this.#subscribers.add(subscriber);
    response.on('close', () => this.#drop(subscriber));
    response.on('error', (error) => diag.debug('headroom: decision stream write failed', error));
    // The client may have gone already: no 'close' would come to drop it.
    if (response.socket === null || response.socket.destroyed) this.#drop(subscriber);
    else
      this.#write(subscriber, agentEvent(this.#instanceId) + this.#missed(request) + this.#states(request));
  }

  /** Sends `decision` to every stream that sees its service. */
  publish(decision: DegradationDecision): void {
    let text: string | undefined;
    for (const subscriber of this.#subscribers) {
      if (!wanted(subscriber, decision) || !this.#catalog.visible(subscriber.principal, decision)) continue;
      text ??= decisionEvent(decision);
      this.#write(subscriber, text);
    }
  }

  /**
   * Sends an admission decision, then its service's admission state now, to every stream that
   * sees the service: the decision explains, the state is what a client acts on.
   */
  publishAdmission(decision: AdmissionDecision): void {
    let text: string | undefined;
    for (const subscriber of this.#subscribers) {
      if (!wanted(subscriber, decision) || !this.#catalog.visible(subscriber.principal, decision)) continue;
      text ??=
        admissionDecisionEvent(decision) +
        admissionStateEvent(this.#catalog.admission(decision), this.#instanceId);
      this.#write(subscriber, text);
    }
  }

  /** Ends the streams of callers `keep` no longer lets in (e.g. a token removed by a reload). */
  endUnless(keep: (principal: Principal) => boolean): void {
    for (const subscriber of this.#subscribers) {
      if (keep(subscriber.principal)) continue;
      subscriber.response.end();
      this.#drop(subscriber);
    }
  }

  /**
   * Sends the last `state` of an evicted service (level NONE, no override), marked
   * `"evicted": true`, to every stream that sees it: clients learn that the agent forgot it.
   */
  evicted(finalState: DegradationState): void {
    const id: ServiceId = finalState;
    let text: string | undefined;
    for (const subscriber of this.#subscribers) {
      if (!wanted(subscriber, id) || !this.#catalog.visible(subscriber.principal, id)) continue;
      const summary = this.#catalog.summaryOf(finalState);
      text ??=
        stateEvent(summary, finalState.lastDecision?.seq ?? 0, this.#instanceId, { evicted: true }) +
        admissionStateEvent(this.#catalog.idleAdmission(id), this.#instanceId, { evicted: true });
      this.#write(subscriber, text);
    }
  }

  /** Ends every stream. */
  close(): void {
    for (const subscriber of this.#subscribers) {
      subscriber.response.end();
      this.#drop(subscriber);
    }
  }

  #missed(request: StreamRequest): string {
    const resume = parseDecisionEventId(request.lastEventId);
    if (resume === undefined || !wanted(request, resume)) return '';
    const manager = this.#catalog.find(request.principal, resume);
    // A seq beyond the manager's own means the agent restarted: the state events say it all.
    if (manager === undefined || resume.seq > lastSeq(manager)) return '';
    const missed = manager.auditLog.entries().filter((decision) => decision.seq > resume.seq);
    return missed.map(decisionEvent).join('');
  }

  #states(request: StreamRequest): string {
    const { principal, namespace, service } = request;
    // One named service is always answered, unknown (or hidden) ones as unknown at NONE.
    if (namespace !== undefined && service !== undefined) {
      const id = { namespace, service };
      const manager = this.#catalog.find(principal, id);
      if (manager !== undefined) return this.#stateOf(manager);
      const idle = this.#catalog.idleAdmission(id);
      return (
        unknownStateEvent(id, this.#instanceId) +
        admissionStateEvent(idle, this.#instanceId, { unknown: true })
      );
    }
    let text = '';
    for (const id of this.#catalog.list(principal).filter((id) => wanted(request, id))) {
      const manager = this.#catalog.find(principal, id);
      if (manager !== undefined) text += this.#stateOf(manager);
    }
    return text;
  }

  /** A service's `state`, then its `admission-state`. */
  #stateOf(manager: DegradationManager): string {
    const instanceId = this.#instanceId;
    return (
      stateEvent(this.#catalog.summary(manager), lastSeq(manager), instanceId) +
      admissionStateEvent(this.#catalog.admission(manager.id), instanceId)
    );
  }

  /** Never throws: it runs from timers and from the agent's decision path. */
  #write(subscriber: Subscriber, text: string): void {
    if (text !== '') subscriber.writer.write(text);
  }

  #drop(subscriber: Subscriber): void {
    subscriber.keepalive.cancel();
    this.#subscribers.delete(subscriber);
  }
}

function lastSeq(manager: DegradationManager): number {
  return manager.state().lastDecision?.seq ?? 0;
}
