// The page's copy of the view: the whole answer of GET /api/v1/view, then kept current by the
// stream's `service`, `point` and `evicted` events (docs/decision-api.md, "Live view API").

/** Sorts by headroom ascending, unknown (null) headroom last. */
function byHeadroom(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  return a - b;
}

function emptyHistory() {
  return { atMs: [], p50: [], p95: [], p99: [], budgetMs: [] };
}

/** An operation's key within its service: operation and context. */
export function operationKey(op) {
  return `${op.operation}\u0000${op.context}`;
}

/**
 * A service's key: namespace and name, each well-formed (a lone surrogate read as U+FFFD), as
 * every link encodes them: a service whose name is not well-formed UTF-16 is found from its own
 * link's path (review16c L4).
 */
export function serviceKey(id) {
  return `${id.namespace.toWellFormed()}\u0000${id.service.toWellFormed()}`;
}

/** The view, with each service's operations sorted and the services in headroom order. */
export class ViewStore {
  /** @type {any} the last whole view, kept current; `undefined` before the first `view` event */
  view = undefined;
  /** When the last event arrived, epoch ms (the reader's clock). */
  updatedAtMs = undefined;
  /** Services by `serviceKey`, for the points of a step (one look-up each, not a scan). */
  #byKey = new Map();
  /** Each service's revision: bumped whenever the store changes it, so a screen can skip unchanged ones. */
  #revisions = new WeakMap();
  #revision = 0;
  /** The overview's rows, sorted; dropped by every change and sorted again when next asked for. */
  #rows = undefined;

  /**
   * Applies one stream event; returns whether the page should be drawn again.
   * @param {string} event `view`, `service`, `point` or `evicted`
   * @param {any} data the event's JSON, parsed
   */
  apply(event, data) {
    this.updatedAtMs = Date.now();
    if (event === 'view') this.#replace(data);
    else if (this.view === undefined) return false;
    else if (event === 'service') this.#service(data);
    else if (event === 'point') this.#points(data);
    else if (event === 'evicted') this.#evict(data);
    else return false;
    this.#rows = undefined;
    return true;
  }

  /**
   * A number that changes whenever the store changes `service` (a new object, or points of a step).
   * @param {any} service
   */
  revision(service) {
    return this.#revisions.get(service) ?? 0;
  }

  /**
   * The service named, or `undefined`.
   * @param {{ namespace: string, service: string }} id
   */
  find(id) {
    return this.#byKey.get(serviceKey(id));
  }

  /**
   * The overview's rows: every operation of every service, headroom ascending; a service with none
   * yet has one row. Sorted once per change, however often it is asked for (the array is shared: do
   * not change it).
   */
  rows() {
    if (this.#rows !== undefined) return this.#rows;
    const rows = [];
    for (const service of this.view?.services ?? []) {
      if (service.operations.length === 0) rows.push({ service, op: undefined });
      for (const op of service.operations) rows.push({ service, op });
    }
    this.#rows = rows.sort(
      (a, b) =>
        byHeadroom(a.op?.headroom, b.op?.headroom) ||
        a.service.namespace.localeCompare(b.service.namespace) ||
        a.service.service.localeCompare(b.service.service) ||
        (a.op?.operation ?? '').localeCompare(b.op?.operation ?? '') ||
        (a.op?.context ?? '').localeCompare(b.op?.context ?? ''),
    );
    return this.#rows;
  }

  /** Marks `service` changed and puts its operations back in headroom order. */
  #touch(service) {
    this.#revisions.set(service, ++this.#revision);
    service.operations.sort(
      (a, b) => byHeadroom(a.headroom, b.headroom) || a.operation.localeCompare(b.operation),
    );
  }

  #replace(view) {
    for (const service of view.services) {
      for (const op of service.operations) op.history ??= emptyHistory();
      this.#touch(service);
    }
    this.view = view;
    this.#byKey = new Map(view.services.map((s) => [serviceKey(s), s]));
  }

  #service(next) {
    const services = this.view.services;
    const index = services.findIndex((s) => serviceKey(s) === serviceKey(next));
    const previous = new Map((services[index]?.operations ?? []).map((op) => [operationKey(op), op]));
    for (const op of next.operations) op.history = previous.get(operationKey(op))?.history ?? emptyHistory();
    if (index === -1) services.push(next);
    else services[index] = next;
    this.#byKey.set(serviceKey(next), next);
    this.#touch(next);
  }

  #points({ atMs, points }) {
    const touched = new Set();
    for (const point of points) {
      const service = this.find(point) ?? this.#stub(point);
      let op = service.operations.find((o) => o.operation === point.operation && o.context === point.context);
      if (op === undefined) {
        op = { operation: point.operation, context: point.context, history: emptyHistory() };
        service.operations.push(op);
      }
      op.status = point.status;
      op.observedMs = point.observedMs;
      op.budgetMs = point.budgetMs;
      op.headroom = point.headroom;
      op.count = point.count;
      op.latencyMs = { p50: point.p50, p95: point.p95, p99: point.p99 };
      this.#append(op.history, atMs, point);
      touched.add(service);
    }
    for (const service of touched) this.#touch(service);
  }

  /** A service known from its points only, until its first `service` event. */
  #stub(id) {
    const service = {
      namespace: id.namespace,
      service: id.service,
      level: null,
      since: null,
      overridden: false,
    };
    Object.assign(service, {
      disabledFeatures: [],
      override: null,
      modifiers: [],
      transitions: [],
      slos: [],
    });
    Object.assign(service, { admission: null, operations: [] });
    this.view.services.push(service);
    this.#byKey.set(serviceKey(service), service);
    return service;
  }

  #append(history, atMs, point) {
    const last = history.atMs.length - 1;
    const at = last >= 0 && history.atMs[last] === atMs ? last : history.atMs.length;
    history.atMs[at] = atMs;
    history.p50[at] = point.p50;
    history.p95[at] = point.p95;
    history.p99[at] = point.p99;
    history.budgetMs[at] = point.budgetMs;
    // Keep the ring's length: points older than the history's span are dropped.
    let old = 0;
    while (old < history.atMs.length && history.atMs[old] <= atMs - this.view.lengthMs) old++;
    if (old > 0) for (const series of Object.values(history)) series.splice(0, old);
  }

  #evict(id) {
    this.view.services = this.view.services.filter((s) => serviceKey(s) !== serviceKey(id));
    this.#byKey.delete(serviceKey(id));
  }
}
