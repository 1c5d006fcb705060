/**
 * What the rules of one SLO read (the agent's event counters of the SLO) and the labels that name
 * the SLO.
 */
import type { ResolvedConfig } from '../../config/index.ts';
import { matchers, promNumber } from './promql.ts';

/** One configured SLO. */
export type SloConfig = ResolvedConfig['slos'][number];

/** The Sloth labels every rule of an SLO carries (a type, not an interface, so that it is a label record). */
export type SlothLabels = {
  /** `<sloth_service>-<sloth_slo>`, unique per SLO. */
  readonly sloth_id: string;
  /** `service.name` of the configuration, `headroom` when unset; the `service` label tells services apart. */
  readonly sloth_service: string;
  readonly sloth_slo: string;
};

/** An SLO resolved against the configuration it belongs to. */
export interface SloTarget {
  readonly slo: SloConfig;
  readonly labels: SlothLabels;
  /** `<SloName>HighErrorRate`, e.g. `CheckoutLatencyHighErrorRate`. */
  readonly alertName: string;
  /** Share of operations that must be within budget, e.g. 0.99. */
  readonly objective: number;
  /** `1 - objective`, e.g. 0.01. */
  readonly errorBudget: number;
  /** Matchers of the SLO's event counters (`headroom_slo_events_total`), e.g. `slo="checkout-latency"`. */
  readonly eventsMatchers: string;
}

/** The name `sloth_service` takes when the configuration names no service. */
const DEFAULT_SLOTH_SERVICE = 'headroom';

/** Resolves `slo` against `config`: its labels, alert name, objective and error budget. */
export function sloTarget(config: ResolvedConfig, slo: SloConfig): SloTarget {
  const service = config.service.name ?? DEFAULT_SLOTH_SERVICE;
  const objective = Number(promNumber(slo.objective));
  return {
    slo,
    labels: { sloth_id: `${service}-${slo.name}`, sloth_service: service, sloth_slo: slo.name },
    alertName: `${pascalCase(slo.name)}HighErrorRate`,
    objective,
    errorBudget: Number(promNumber(1 - objective)),
    eventsMatchers: matchers({ slo: slo.name }),
  };
}

function pascalCase(name: string): string {
  return name
    .split(/[-_]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * `{sloth_id="...", sloth_service="...", sloth_slo="..."}`: the selector of one SLO's series, as
 * Sloth writes it, with `extra` matchers after them.
 */
export function slothSelector(target: SloTarget, extra: Readonly<Record<string, string>> = {}): string {
  return `{${matchers({ ...target.labels, ...extra }, ', ')}}`;
}
