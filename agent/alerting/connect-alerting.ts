/**
 * Wiring: feeds an SLO tracker and an alert evaluator from an agent's ticks, in that order (burn
 * rates must include the tick before alerts read them).
 */
import type { Verdict } from '../budget/types.ts';
import type { DegradationLevel } from '../degradation/levels.ts';
import type { ServiceId } from '../service-id.ts';
import type { SloSeries, SloTracker } from '../slo/index.ts';
import type { AlertEvaluator } from './alert-evaluator.ts';
import type { AlertSeries } from './types.ts';

/** What the wiring reads from the agent (`Agent` fits). */
export interface AlertingHost {
  onTick(
    listener: (tick: { readonly at: number; readonly verdicts: readonly Verdict[] }) => void,
  ): () => void;
  readonly registry: { list(): readonly (SloSeries & AlertSeries)[] };
  services(): ServiceId[];
  degradation(service: string, namespace?: string): { readonly level: DegradationLevel };
}

/** The parts to feed; `alerts` is optional (SLOs alone serve metrics and APIs). */
export interface AlertingParts {
  readonly slos: SloTracker;
  readonly alerts?: AlertEvaluator;
}

/**
 * Subscribes to the host's ticks: each tick, the SLO tracker observes every series, then the
 * evaluator evaluates the tick with the series and every service's degradation level. Returns
 * the unsubscribe function. Neither part throws.
 * @example
 * const slos = new SloTracker({ config, clock: agent.clock });
 * const alerts = new AlertEvaluator({ config, slos, clock: agent.clock });
 * const disconnect = connectAlerting(agent, { slos, alerts });
 */
export function connectAlerting(host: AlertingHost, parts: AlertingParts): () => void {
  return host.onTick(({ at, verdicts }) => {
    const series = host.registry.list();
    parts.slos.observe(series, at);
    if (parts.alerts === undefined) return;
    const levels = host.services().map(({ namespace, service }) => ({
      namespace,
      service,
      level: host.degradation(service, namespace).level,
    }));
    parts.alerts.evaluate({ at, verdicts, series, levels });
  });
}
