/**
 * One service of the live view: level, override, modifiers, the latest transitions with their
 * reasons (the degradation audit log), SLOs with the SRE Workbook's burn-rate pairs (the SLO
 * tracker), admission, and its whole operations.
 */
import type { Agent, DegradationManager, ServiceId, SloStatus, SloTracker } from '../agent/index.ts';
import { BURN_WINDOWS_MS, burnRateThreshold, MULTI_WINDOW_ALERTS, sameService } from '../agent/index.ts';
import type {
  AdmissionSummaryView,
  ModifierView,
  OperationView,
  OverrideView,
  ServiceView,
  SloView,
  TransitionView,
} from './types.ts';
import { MAX_TRANSITIONS } from './types.ts';

/** The service `id`'s view with `operations` as given (already sorted). */
export function serviceView(
  agent: Agent,
  slos: SloTracker | undefined,
  id: ServiceId,
  operations: readonly OperationView[],
): ServiceView {
  const manager = agent.degradation(id.service, id.namespace);
  const state = manager.state();
  return {
    namespace: state.namespace,
    service: state.service,
    level: state.level,
    since: state.since,
    overridden: state.overridden,
    disabledFeatures: state.disabledFeatures,
    override: overrideOf(manager),
    modifiers: modifiersOf(agent),
    transitions: manager.auditLog
      .entries()
      .slice(-MAX_TRANSITIONS)
      .map(
        ({ seq, at, from, to, reason, message }): TransitionView => ({
          seq,
          atMs: at,
          from,
          to,
          reason,
          message,
        }),
      ),
    slos: slosOf(slos, id),
    admission: admissionOf(agent, id),
    operations,
  };
}

function overrideOf(manager: DegradationManager): OverrideView | null {
  const override = manager.overridden ? manager.snapshot().override : undefined;
  if (override === undefined) return null;
  return { level: manager.level, reason: override.reason, untilMs: override.untilMs ?? null };
}

/** Active modifiers apply to the whole agent, so every service shows them. */
function modifiersOf(agent: Agent): ModifierView[] {
  const configured = agent.config.adaptive.modifiers;
  return agent.modifiers
    .active()
    .map((name) => ({ name, factor: configured[name]?.factor ?? 1, untilMs: null }));
}

function slosOf(slos: SloTracker | undefined, id: ServiceId): SloView[] {
  if (slos === undefined) return [];
  return slos
    .list()
    .filter((status) => sameService(status, id))
    .sort((a, b) => (a.slo < b.slo ? -1 : a.slo > b.slo ? 1 : 0))
    .map(sloView);
}

/** An SLO status with the four (long, short) pairs, pages first. */
function sloView(status: SloStatus): SloView {
  return {
    name: status.slo,
    objective: status.objective,
    windowMs: status.windowMs,
    errorBudgetRemaining: status.errorBudgetRemaining,
    burnRates: MULTI_WINDOW_ALERTS.map((pair) => {
      const longWindowMs = BURN_WINDOWS_MS[pair.longWindow];
      return {
        severity: pair.severity,
        longWindowMs,
        shortWindowMs: BURN_WINDOWS_MS[pair.shortWindow],
        long: status.burnRates[pair.longWindow],
        short: status.burnRates[pair.shortWindow],
        threshold: burnRateThreshold(pair.budgetPercent, status.windowMs, longWindowMs),
      };
    }),
  };
}

function admissionOf(agent: Agent, id: ServiceId): AdmissionSummaryView | null {
  if (!agent.config.admission.enabled) return null;
  const state = agent.admission(id.service, id.namespace).state();
  return { enabled: state.enabled, classes: state.classes, pressure: state.pressure ?? 0 };
}
