// The page's copy of the view: the whole answer of GET /api/v1/view, then kept current by the
// stream's `service`, `point` and `evicted` events (docs/decision-api.md, "Live view API").

/** Sorts by headroom ascending, unknown (null) headroom last. */
function byHeadroom(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  return a - b;
}

/** The lowest headroom of a service's operations; `null` when none is known. */
function lowestHeadroom(service) {
  let lowest = null;
  for (const op of service.operations) {
    if (op.headroom !== null && op.headroom !== undefined && (lowest === null || op.headroom < lowest))
      lowest = op.headroom;
  }
  return lowest;
}

function emptyHistory() {
  return { atMs: [], p50: [], p95: [], p99: [], budgetMs: [] };
}

/** An operation's key within its service: operation and context. */
export function operationKey(op) {
  return `${op.operation}\u0000${op.context}`;
}

/** A service's key: namespace and name. */
export function serviceKey(id) {
  return `${id.namespace}\u0000${id.service}`;
}

/** The view, with each service's operations sorted and the services in headroom order. */
export class ViewStore {
  /** @type {any} the last whole view, kept current; `undefined` before the first `view` event */
  view = undefined;
  /** When the last event arrived, epoch ms (the reader's clock). */
  updatedAtMs = undefined;

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
    this.#sort();
    return true;
  }

  /**
   * The service named, or `undefined`.
   * @param {{ namespace: string, service: string }} id
   */
  find(id) {
    return this.view?.services.find((s) => s.namespace === id.namespace && s.service === id.service);
  }

  /** The overview's rows: every operation of every service, headroom ascending; a service with none yet has one row. */
  rows() {
    const rows = [];
    for (const service of this.view?.services ?? []) {
      if (service.operations.length === 0) rows.push({ service, op: undefined });
      for (const op of service.operations) rows.push({ service, op });
    }
    return rows.sort(
      (a, b) =>
        byHeadroom(a.op?.headroom, b.op?.headroom) ||
        a.service.namespace.localeCompare(b.service.namespace) ||
        a.service.service.localeCompare(b.service.service) ||
        (a.op?.operation ?? '').localeCompare(b.op?.operation ?? '') ||
        (a.op?.context ?? '').localeCompare(b.op?.context ?? ''),
    );
  }

  #replace(view) {
    for (const service of view.services) {
      for (const op of service.operations) op.history ??= emptyHistory();
    }
    this.view = view;
  }

  #service(next) {
    const services = this.view.services;
    const index = services.findIndex((s) => serviceKey(s) === serviceKey(next));
    const previous = new Map((services[index]?.operations ?? []).map((op) => [operationKey(op), op]));
    for (const op of next.operations) op.history = previous.get(operationKey(op))?.history ?? emptyHistory();
    if (index === -1) services.push(next);
    else services[index] = next;
  }

  #points({ atMs, points }) {
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
    }
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
  }

  #sort() {
    for (const service of this.view.services) {
      service.operations.sort(
        (a, b) => byHeadroom(a.headroom, b.headroom) || a.operation.localeCompare(b.operation),
      );
    }
    this.view.services.sort(
      (a, b) =>
        byHeadroom(lowestHeadroom(a), lowestHeadroom(b)) ||
        a.namespace.localeCompare(b.namespace) ||
        a.service.localeCompare(b.service),
    );
  }
}
