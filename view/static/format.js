// How numbers, times and levels read on the page. Levels carry a word and a shape besides their
// colour, so colour is never the only signal (WCAG 1.4.1).

/** The degradation levels, mildest first: label, shape and CSS class of each. */
export const LEVELS = {
  NONE: { label: 'None', icon: '✓', rank: 0 },
  MINIMAL: { label: 'Minimal', icon: '◔', rank: 1 },
  MODERATE: { label: 'Moderate', icon: '◑', rank: 2 },
  SEVERE: { label: 'Severe', icon: '◕', rank: 3 },
  CRITICAL: { label: 'Critical', icon: '●', rank: 4 },
};

/**
 * Milliseconds as a person reads them: `0.4 ms`, `120 ms`, `1.25 s`; `—` when unknown.
 * @param {number | null | undefined} ms
 */
export function formatMs(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 10) return `${Number(ms.toFixed(1))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${Number((ms / 1000).toFixed(2))} s`;
}

/**
 * A window length: `5m`, `1h`, `3d`, `90s`.
 * @param {number} ms
 */
export function formatWindow(ms) {
  const units = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  for (const [unit, size] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/**
 * A fraction as a percentage with its sign: `40 %`, `−25 %`; `—` when unknown.
 * @param {number | null | undefined} fraction
 */
export function formatPercent(fraction) {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  const percent = Math.round(fraction * 1000) / 10;
  return `${percent < 0 ? '−' : ''}${Math.abs(percent)} %`;
}

/**
 * A ratio such as a burn rate: `1.2×`.
 * @param {number | null | undefined} value
 */
export function formatRatio(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${Number(value.toFixed(value < 10 ? 2 : 1))}×`;
}

/**
 * A wall-clock time in the reader's zone: `14:05:32`, with the date when not today.
 * @param {number} atMs epoch milliseconds
 */
export function formatTime(atMs) {
  const date = new Date(atMs);
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return date.toDateString() === new Date().toDateString() ? time : `${date.toLocaleDateString()} ${time}`;
}

/**
 * How long ago: `12 s ago`, `5 min ago`, `3 h ago`, `2 d ago`.
 * @param {number} atMs epoch milliseconds
 * @param {number} nowMs
 */
export function formatAgo(atMs, nowMs) {
  const seconds = Math.max(0, Math.round((nowMs - atMs) / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

/**
 * A service's display name: `payments/checkout`, or `checkout` in the empty namespace.
 * @param {{ namespace: string, service: string }} id
 */
export function serviceName(id) {
  return id.namespace === '' ? id.service : `${id.namespace}/${id.service}`;
}

/**
 * A name as one path segment of a service page. The empty name (no namespace) is `_`; a name that
 * starts with `_`, or is `.` or `..` (which a browser would resolve away as a dot segment), gets one
 * more `_` in front, so every name has its own segment: `''` -> `_`, `_` -> `__`, `_a` -> `__a`,
 * `..` -> `_..`; then it is percent-encoded. agent/alerting/headroom-url.ts builds alert links the same way.
 * @param {string} name
 */
function nameSegment(name) {
  if (name === '') return '_';
  // toWellFormed: a lone surrogate (OTLP/JSON can carry one) becomes U+FFFD, never a URIError.
  const segment = name.startsWith('_') || name === '.' || name === '..' ? `_${name}` : name;
  return encodeURIComponent(segment.toWellFormed());
}

/** A path segment back to its name (the inverse of `nameSegment`); throws on a malformed escape. */
function segmentName(segment) {
  const name = decodeURIComponent(segment);
  if (name === '_') return '';
  return name.startsWith('_') ? name.slice(1) : name;
}

/**
 * The page of a service: `/ui/services/payments/checkout`, `/ui/services/_/checkout` for the empty
 * namespace (each name encoded by `nameSegment`).
 * @param {{ namespace: string, service: string }} id
 */
export function servicePath(id) {
  return `/ui/services/${nameSegment(id.namespace)}/${nameSegment(id.service)}`;
}

/**
 * Reads a service page's path back; `undefined` for any other path.
 * @param {string} path
 * @returns {{ namespace: string, service: string } | undefined}
 */
export function parseServicePath(path) {
  const match = /^\/ui\/services\/([^/]+)\/([^/]+)$/.exec(path);
  if (match === null) return undefined;
  try {
    return { namespace: segmentName(match[1]), service: segmentName(match[2]) };
  } catch {
    return undefined;
  }
}
