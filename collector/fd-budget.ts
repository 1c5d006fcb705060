/**
 * How collector mode shares the process's file descriptors between its listeners, so that decision
 * streams (long-lived, one descriptor each) can never take the descriptors the OTLP receiver needs
 * to accept new connections. The soft limit (`ulimit -n`) is read from `/proc/self/limits` on
 * Linux; where it cannot be read, the listeners keep fixed defaults.
 */
import { readFileSync } from 'node:fs';

/** Connection and stream limits derived from the descriptor limit (or the fallbacks). */
export interface FdBudget {
  /** The soft `RLIMIT_NOFILE` read, or `undefined` when it could not be read. */
  readonly fdLimit: number | undefined;
  /** Most connections of the OTLP receiver; `undefined` for no limit. */
  readonly receiverConnections: number | undefined;
  /** Most connections of the decision API, streams included; `undefined` for no limit. */
  readonly apiConnections: number | undefined;
  /** Most decision streams open at once. */
  readonly streams: number;
}

/** Descriptors kept for the process itself (files, outbound connections, the metrics endpoint): at least this many. */
const MIN_RESERVED_FDS = 64;
/** Share of the limit kept for the process itself, when that is more than {@link MIN_RESERVED_FDS}. */
const RESERVED_FD_SHARE = 0.1;
/** Share of the remaining descriptors given to the decision API; the receiver gets the rest. */
const API_FD_SHARE = 0.25;
/** API connections kept for ordinary requests (reads, overrides) when the streams are at their cap. */
const API_REQUEST_CONNECTIONS = 16;
/** Stream cap when the descriptor limit is unknown (and the fd budget cannot say). */
const DEFAULT_MAX_STREAMS = 1000;

/**
 * Splits `fdLimit` descriptors: 10 % (at least 64) stay with the process; of the rest, a quarter
 * goes to the decision API (its streams get all but {@link API_REQUEST_CONNECTIONS} of them) and
 * three quarters to the receiver. With `ulimit -n 1024`: receiver 691 connections, API 230, 214
 * streams. `configured` values win over derived ones.
 */
export function fdBudget(
  fdLimit: number | undefined,
  configured: { readonly receiverConnections?: number; readonly streams?: number } = {},
): FdBudget {
  const derived = fdLimit === undefined ? undefined : split(fdLimit);
  const streams = configured.streams ?? derived?.streams ?? DEFAULT_MAX_STREAMS;
  return {
    fdLimit,
    receiverConnections: configured.receiverConnections ?? derived?.receiverConnections,
    // A configured stream cap brings its own room for ordinary requests.
    apiConnections:
      configured.streams !== undefined || derived !== undefined
        ? streams + API_REQUEST_CONNECTIONS
        : undefined,
    streams,
  };
}

function split(fdLimit: number): { receiverConnections: number; streams: number } {
  const reserved = Math.max(MIN_RESERVED_FDS, Math.ceil(fdLimit * RESERVED_FD_SHARE));
  const usable = Math.max(0, fdLimit - reserved);
  const api = Math.floor(usable * API_FD_SHARE);
  return {
    receiverConnections: Math.max(1, usable - api),
    streams: Math.max(1, api - API_REQUEST_CONNECTIONS),
  };
}

/**
 * The soft "Max open files" limit from the text of `/proc/self/limits`; `undefined` when absent
 * or `unlimited`.
 */
export function parseFdLimit(limitsText: string): number | undefined {
  const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(limitsText);
  if (match === null || match[1] === 'unlimited') return undefined;
  const limit = Number(match[1]);
  return Number.isSafeInteger(limit) && limit > 0 ? limit : undefined;
}

/** This process's soft descriptor limit (Linux); `undefined` where `/proc/self/limits` cannot be read. */
export function readFdLimit(path = '/proc/self/limits'): number | undefined {
  try {
    return parseFdLimit(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}
