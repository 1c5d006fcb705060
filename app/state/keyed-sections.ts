/**
 * The sections whose records are small and rewritten whole when they change: each service's
 * degradation and admission state, each alert instance (firing or cooling down) and each service the collector
 * has heard from.
 */
import type { Agent, AlertEvaluator } from '../../agent/index.ts';
import { serviceKey } from '../../agent/index.ts';
import type { ServiceDirectory } from '../../collector/index.ts';
import { keyedSection, type StateSection } from './state-section.ts';

/** Per service (key: its service key): level, override, dwell and sustain progress, audit log. */
export function degradationSection(agent: Agent): StateSection {
  return keyedSection({
    name: 'degradation states',
    kind: 'degradation',
    entries: () => agent.degradationSnapshots(),
    restore: (values) => agent.restoreDegradation(values),
  });
}

/** Per service (key: its service key): shed pressure, level, recovery progress, admission audit log. */
export function admissionSection(agent: Agent): StateSection {
  return keyedSection({
    name: 'admission states',
    kind: 'admission',
    entries: () => agent.admissionSnapshots(),
    restore: (values) => agent.restoreAdmission(values),
  });
}

/**
 * Per alert instance (key: its identity labels): the firing alert with its `startsAt`, the
 * episode start and the cooldown, stamped with the evaluator's state version.
 */
export function alertSection(alerts: AlertEvaluator): StateSection {
  return keyedSection({
    name: 'alert instances',
    kind: 'alert',
    entries: () => {
      const { version, entries } = alerts.exportState();
      return entries.map((entry) => [entry.key, { ...entry, version }] as const);
    },
    restore: (values) => {
      const { version } = alerts.exportState();
      const entries = values.filter((value) => (value as { version?: unknown } | null)?.version === version);
      const { restored } = alerts.restoreState({ version, entries });
      return { restored, dropped: values.length - restored };
    },
  });
}

/**
 * How precisely the directory's last sightings are stored, ms: a record is rewritten when its
 * sighting moved to a later minute, not at every request. A restored service may thus look up to
 * a minute idler than it was (eviction waits `limits.idleTime`, at least the window).
 */
const SIGHTING_MS = 60_000;

/** Per service heard from (key: its service key): its identity and when it last sent data (to the minute). */
export function directorySection(directory: ServiceDirectory): StateSection {
  return keyedSection({
    name: 'services',
    kind: 'service',
    entries: () =>
      directory
        .list()
        .map(
          ({ namespace, service, lastSeenMs }) =>
            [
              serviceKey({ namespace, service }),
              { namespace, service, lastSeenMs: Math.floor(lastSeenMs / SIGHTING_MS) * SIGHTING_MS },
            ] as const,
        ),
    restore: (values, nowMs) => {
      let restored = 0;
      for (const value of values) {
        const { namespace, service, lastSeenMs } = (value ?? {}) as Record<string, unknown>;
        if (typeof namespace !== 'string' || typeof service !== 'string') continue;
        if (typeof lastSeenMs !== 'number' || !Number.isFinite(lastSeenMs)) continue;
        // A sighting dated after now (the clock stepped back) is taken as now: it never pins a service.
        if (directory.admit(service, namespace, Math.min(lastSeenMs, nowMs)) !== undefined) restored++;
      }
      return { restored, dropped: values.length - restored };
    },
  });
}
