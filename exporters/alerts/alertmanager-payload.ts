/**
 * The Prometheus Alertmanager v2 wire format, pure (`POST /api/v2/alerts`, a JSON array):
 * `{labels, annotations, startsAt, endsAt, generatorURL}` per alert. As Prometheus does, a firing
 * alert carries `endsAt = now + 4 x resend interval`, so Alertmanager resolves it by itself if the
 * agent dies; a resolution carries `endsAt <= now`. Alertmanager identifies an alert by its labels.
 */
import type { AlertEvent } from '../../agent/index.ts';
import { isoTime } from './alert-json.ts';

/** Prometheus sends firing alerts with `endsAt` this many resend intervals ahead. */
const ENDS_AT_RESEND_FACTOR = 4;

/** One element of the `POST /api/v2/alerts` body. */
export interface AlertmanagerAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** RFC 3339. */
  readonly startsAt: string;
  /** RFC 3339. */
  readonly endsAt: string;
  readonly generatorURL: string;
}

/** What the channel keeps of one alert instance between sends. */
export interface AlertmanagerAlertState {
  /** Alertmanager's identity of the alert: its label set, canonically serialized. */
  readonly key: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** ms since the epoch. */
  readonly startsAtMs: number;
  /** When it resolved, ms since the epoch; undefined while firing. */
  readonly resolvedAtMs?: number;
}

/** A label name Alertmanager accepts (`[a-zA-Z_][a-zA-Z0-9_]*`): other characters become `_`. */
function labelName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(cleaned) || cleaned === '' ? `_${cleaned}` : cleaned;
}

/** The labels of `event` for Alertmanager: names cleaned, `alertname` always set (the rule's name). */
function alertmanagerLabels(event: AlertEvent): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.labels)) labels[labelName(name)] = String(value);
  if (!labels.alertname) labels.alertname = event.rule;
  return labels;
}

/**
 * The state of `event` at `nowMs`. A resolution ends at the event's `endsAt`, kept within
 * [startsAt, now] (Alertmanager refuses an end before the start). Throws a RangeError when a time
 * of the event is invalid.
 */
export function alertState(event: AlertEvent, nowMs: number): AlertmanagerAlertState {
  isoTime(event.startsAt);
  const labels = alertmanagerLabels(event);
  const state = {
    key: labelSetKey(labels),
    labels,
    annotations: event.annotations,
    startsAtMs: event.startsAt,
  };
  if (event.status === 'firing') return state;
  return resolvedState(state, Math.min(event.endsAt ?? nowMs, nowMs));
}

/** `state` resolved at `atMs` (not before it started). */
export function resolvedState(state: AlertmanagerAlertState, atMs: number): AlertmanagerAlertState {
  isoTime(atMs);
  return { ...state, resolvedAtMs: Math.max(state.startsAtMs, atMs) };
}

/** The wire form of `state` sent at `nowMs`. */
export function alertmanagerAlert(
  state: AlertmanagerAlertState,
  nowMs: number,
  resendIntervalMs: number,
  generatorUrl: string,
): AlertmanagerAlert {
  const endsAtMs = state.resolvedAtMs ?? nowMs + ENDS_AT_RESEND_FACTOR * resendIntervalMs;
  return {
    labels: state.labels,
    annotations: state.annotations,
    startsAt: isoTime(state.startsAtMs),
    endsAt: isoTime(endsAtMs),
    generatorURL: generatorUrl,
  };
}

/** `{url}/api/v2/alerts`, keeping a path prefix (`--web.route-prefix`) of `url`. */
export function alertsUrl(url: string): string {
  return new URL('api/v2/alerts', url.endsWith('/') ? url : `${url}/`).href;
}

function labelSetKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
