/**
 * The live view's data: every service a caller may see (a token bound to a namespace sees only
 * that namespace's services; another tenant's service is answered exactly like an unknown one),
 * each with its whole operations and their headroom, sorted so the service closest to (or
 * furthest over) its budget comes first.
 */
import type { Agent, Series, ServiceId, SloTracker } from '../agent/index.ts';
import { serviceKey } from '../agent/index.ts';
import {
  byHeadroom,
  compare,
  compareHeadroom,
  type OperationNow,
  operationNow,
  operationView,
} from './operation-now.ts';
import { serviceView } from './service-view.ts';
import type { Principal } from './token-auth.ts';
import type { OperationView, ServiceView, ViewAnswer } from './types.ts';
import type { VerdictCache } from './verdict-cache.ts';
import { isWholeOperation, type ViewHistory } from './view-history.ts';

/** Options of {@link ViewModel}. */
export interface ViewModelOptions {
  readonly agent: Agent;
  readonly verdicts: VerdictCache;
  readonly history: ViewHistory;
  /** The SLO tracker (app/alerting.ts); without it services show no SLOs. */
  readonly slos?: SloTracker | undefined;
}

/** Which services a request wants: the caller's namespace binding and an optional `?namespace=`. */
export interface ViewFilter {
  readonly principal: Principal;
  /** Only this namespace ('' the empty one); `undefined` for every namespace the caller sees. */
  readonly namespace?: string | undefined;
}

/** Whether `filter` lets the service `id` through. */
export function admits(filter: ViewFilter, id: ServiceId): boolean {
  const bound = filter.principal.namespace;
  return (
    (bound === undefined || bound === id.namespace) &&
    (filter.namespace === undefined || filter.namespace === id.namespace)
  );
}

export class ViewModel {
  readonly #agent: Agent;
  readonly #verdicts: VerdictCache;
  readonly #history: ViewHistory;
  readonly #slos: SloTracker | undefined;

  constructor(options: ViewModelOptions) {
    this.#agent = options.agent;
    this.#verdicts = options.verdicts;
    this.#history = options.history;
    this.#slos = options.slos;
  }

  /** The agent's instance id. */
  get instanceId(): string {
    return this.#agent.instanceId;
  }

  /** `GET /api/v1/view`: every service `filter` lets through, with histories. */
  view(filter: ViewFilter): ViewAnswer {
    const nowMs = this.#agent.clock.now();
    const services = [...this.#byService(filter).values()].map(({ id, series }) =>
      this.#serviceOf(id, series, nowMs, true),
    );
    return {
      generatedAtMs: nowMs,
      instanceId: this.#agent.instanceId,
      resolutionMs: this.#history.resolutionMs,
      lengthMs: this.#history.lengthMs,
      services: services.sort(byLowestHeadroom),
    };
  }

  /** One service's view without histories (the stream's `service` event); `undefined` when not let through. */
  service(filter: ViewFilter, id: ServiceId): ServiceView | undefined {
    if (!admits(filter, id) || !this.#agent.holdsService(id.service, id.namespace)) return undefined;
    const series = this.#agent.registry
      .list()
      .filter((one) => isWholeOperation(one) && one.namespace === id.namespace && one.service === id.service);
    return this.#serviceOf(id, series, this.#agent.clock.now(), false);
  }

  #serviceOf(id: ServiceId, series: readonly Series[], nowMs: number, withHistory: boolean): ServiceView {
    const operations = series
      .map((one) => operationNow(this.#agent, this.#verdicts, one, nowMs))
      .sort(byHeadroom)
      .map((now) => (withHistory ? this.#withHistory(now) : operationView(now)));
    return serviceView(this.#agent, this.#slos, id, operations);
  }

  #withHistory(now: OperationNow): OperationView {
    const ring = this.#history.ringOf(now.series);
    const step = this.#history.step;
    const history =
      ring === undefined || !Number.isFinite(step)
        ? { atMs: [], p50: [], p95: [], p99: [], budgetMs: [], count: [] }
        : ring.read(step);
    return { ...operationView(now), history };
  }

  /** Services with a degradation manager or a whole operation, each with its whole operations. */
  #byService(filter: ViewFilter): Map<string, { id: ServiceId; series: Series[] }> {
    const out = new Map<string, { id: ServiceId; series: Series[] }>();
    for (const id of this.#agent.services())
      if (admits(filter, id)) out.set(serviceKey(id), { id, series: [] });
    for (const series of this.#agent.registry.list()) {
      if (!isWholeOperation(series) || !admits(filter, series)) continue;
      const key = serviceKey(series);
      let entry = out.get(key);
      if (entry === undefined) {
        entry = { id: { namespace: series.namespace, service: series.service }, series: [] };
        out.set(key, entry);
      }
      entry.series.push(series);
    }
    return out;
  }
}

function lowest(service: ServiceView): number | null {
  return service.operations[0]?.headroom ?? null;
}

function byLowestHeadroom(a: ServiceView, b: ServiceView): number {
  return (
    compareHeadroom(lowest(a), lowest(b)) ||
    compare(a.namespace, b.namespace) ||
    compare(a.service, b.service)
  );
}
