/**
 * What the agent of the durable-state scenario talks to, outside it and alive across its restart:
 * a real Alertmanager behind a recording proxy, a webhook receiver, an OTLP backend; and what
 * each of them saw.
 */
import { Receiver } from '../../exporters/alerts/receiver.ts';
import { OtlpSink } from '../../helpers/otlp-sink.ts';
import { type AlertmanagerServer, type GettableAlert, startAlertmanager } from './alertmanager.ts';
import { BURN_ALERT } from './durable-agent.ts';
import { RecordingProxy } from './recording-proxy.ts';

/** An alert as an agent posts it to Alertmanager. */
interface PostedAlert {
  readonly labels: Record<string, string>;
  readonly startsAt: string;
}

export class DurableBackends {
  readonly alertmanager: AlertmanagerServer;
  /** Between the agent and Alertmanager. */
  readonly alertmanagerProxy: RecordingProxy;
  /** The agent's webhook channel posts here. */
  readonly webhook: Receiver;
  /** The OTLP backend spans are forwarded to. */
  readonly sink: OtlpSink;

  private constructor(
    alertmanager: AlertmanagerServer,
    alertmanagerProxy: RecordingProxy,
    webhook: Receiver,
    sink: OtlpSink,
  ) {
    this.alertmanager = alertmanager;
    this.alertmanagerProxy = alertmanagerProxy;
    this.webhook = webhook;
    this.sink = sink;
  }

  static async start(): Promise<DurableBackends> {
    const alertmanager = await startAlertmanager();
    const alertmanagerProxy = await RecordingProxy.start(alertmanager.url);
    return new DurableBackends(
      alertmanager,
      alertmanagerProxy,
      await Receiver.start(),
      await OtlpSink.start(),
    );
  }

  /** The firing event ids (`X-Headroom-Event-Id`) the webhook received, once each, in order. */
  firingIds(): string[] {
    const ids = this.webhook.requests
      .filter((request) => (JSON.parse(request.body) as { status: string }).status === 'firing')
      .map((request) => String(request.headers['x-headroom-event-id']));
    return [...new Set(ids)];
  }

  /**
   * The distinct (labels, startsAt in ms) of the burn-rate alert as the agents posted it to
   * Alertmanager from `sinceMs` on (real time), in order of first posting.
   */
  posted(sinceMs: number): [Record<string, string>, number][] {
    const distinct = new Map<string, [Record<string, string>, number]>();
    for (const request of this.alertmanagerProxy.requests) {
      if (request.atMs < sinceMs || request.path !== '/api/v2/alerts') continue;
      for (const { labels, startsAt } of JSON.parse(request.body) as PostedAlert[]) {
        if (labels.alertname !== BURN_ALERT) continue;
        const startsAtMs = Date.parse(startsAt);
        distinct.set(JSON.stringify([Object.entries(labels).sort(), startsAtMs]), [labels, startsAtMs]);
      }
    }
    return [...distinct.values()];
  }

  /** The burn-rate alert as Alertmanager lists it; `undefined` when it does not. */
  async alertAt(): Promise<GettableAlert | undefined> {
    return (await this.alertmanager.alerts()).find((alert) => alert.labels.alertname === BURN_ALERT);
  }

  /** How many times each of the span ids reached the OTLP backend. */
  deliveries(spanIds: readonly string[]): number[] {
    const counts = new Map(spanIds.map((id) => [id, 0]));
    for (const { spanId } of this.sink.spans) {
      const count = counts.get(spanId);
      if (count !== undefined) counts.set(spanId, count + 1);
    }
    return [...counts.values()];
  }

  async stop(): Promise<void> {
    await this.alertmanagerProxy.stop();
    await Promise.all([this.alertmanager.stop(), this.webhook.stop(), this.sink.stop()]);
  }
}
