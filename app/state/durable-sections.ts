/** Which components a store keeps, and in which order they are restored. */
import type { Agent, AlertEvaluator, SloTracker } from '../../agent/index.ts';
import type { ServiceDirectory } from '../../collector/index.ts';
import { admissionSection, alertSection, degradationSection, directorySection } from './keyed-sections.ts';
import { sloSection } from './slo-section.ts';
import type { StateSection } from './state-section.ts';
import { windowSection } from './window-section.ts';

/** The durable components of a running agent; those absent are neither restored nor written. */
export interface DurableParts {
  readonly agent: Agent;
  readonly slos?: SloTracker;
  readonly alerts?: AlertEvaluator;
  /** Collector mode's service directory. */
  readonly directory?: ServiceDirectory;
}

/**
 * The sections of `parts`, in restore order: windows first (they create the series), then
 * degradation states, admission states (after the levels they were computed at), SLO histories, alert instances (after the SLOs their burn rates read) and
 * the service directory.
 */
export function durableSections(parts: DurableParts): StateSection[] {
  const sections = [
    windowSection(parts.agent),
    degradationSection(parts.agent),
    admissionSection(parts.agent),
  ];
  if (parts.slos !== undefined) sections.push(sloSection(parts.slos));
  if (parts.alerts !== undefined) sections.push(alertSection(parts.alerts));
  if (parts.directory !== undefined) sections.push(directorySection(parts.directory));
  return sections;
}
