/**
 * SLOs and alerting for one agent, in either mode: the SLO tracker and alert rules follow the
 * agent's ticks, and alert events go to the configured channels (log, webhook, Alertmanager).
 */
import { type Agent, AlertEvaluator, connectAlerting, SloTracker } from '../agent/index.ts';
import type { ResolvedConfig } from '../config/index.ts';
import { type AlertRouter, createChannels, routeAlerts } from '../exporters/alerts/index.ts';

/** The running SLO and alerting parts. */
export interface Alerting {
  readonly slos: SloTracker;
  readonly alerts: AlertEvaluator;
  readonly router: AlertRouter;
  /** Applies a reloaded configuration (rules and SLOs; channels need a restart). */
  reconfigure(config: ResolvedConfig): void;
  /** Stops following ticks and flushes the channels within `timeoutMs`. */
  shutdown(timeoutMs: number): Promise<void>;
}

/** The stateful parts of alerting, before they follow the agent's ticks. */
export interface AlertState {
  readonly slos: SloTracker;
  readonly alerts: AlertEvaluator;
}

export interface AlertingOptions {
  /** `generatorURL` of Alertmanager alerts: where a human sees the alert's source. */
  readonly generatorUrl?: string;
  /** The SLO tracker and evaluator to run (e.g. restored from a store). @default createAlertState(agent) */
  readonly state?: AlertState;
}

/**
 * An SLO tracker and alert evaluator for `agent`'s configuration, following nothing yet: a store
 * restores them before {@link startAlerting} connects them to the ticks and channels.
 */
export function createAlertState(agent: Agent): AlertState {
  const config = agent.config;
  const baseBudgetMs = (series: Parameters<typeof agent.targets.of>[0]) =>
    agent.targets.of(series)?.baseBudgetMs;
  const slos = new SloTracker({ config, clock: agent.clock, baseBudgetMs });
  return { slos, alerts: new AlertEvaluator({ config, slos, clock: agent.clock }) };
}

/** Connects the SLO tracker and alert evaluator to `agent`'s ticks and the configured channels. */
export function startAlerting(agent: Agent, options: AlertingOptions = {}): Alerting {
  const config = agent.config;
  const { slos, alerts } = options.state ?? createAlertState(agent);
  const router = routeAlerts(
    createChannels(config.alerting.channels, { clock: agent.clock, generatorUrl: options.generatorUrl }),
  );
  // Alerts restored firing keep firing where channels re-send them (Alertmanager), with their startsAt.
  router.resume(alerts.firing());
  const stopAlerts = alerts.onAlert(router);
  const disconnect = connectAlerting(agent, { slos, alerts });
  // A service with a firing alert keeps its state; an evicted one loses its history and cooldowns.
  const stopHolding = agent.addServiceActivity((id, nowMs) =>
    alerts.firingFor(id) ? nowMs : Number.NEGATIVE_INFINITY,
  );
  const stopForgetting = agent.onServiceEvicted((id) => {
    slos.forgetService(id);
    alerts.forgetService(id);
  });
  return {
    slos,
    alerts,
    router,
    reconfigure(next) {
      slos.reconfigure(next);
      alerts.reconfigure(next);
    },
    async shutdown(timeoutMs) {
      disconnect();
      stopHolding();
      stopForgetting();
      stopAlerts();
      await router.shutdown(timeoutMs);
    },
  };
}
