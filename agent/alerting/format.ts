/** Numbers as alert annotations show them. */

const UNITS: readonly (readonly [string, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** At most two decimals, no trailing zeros: 14.4, 0.33, 5. */
export function formatNumber(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** A latency, ms: `260 ms`, `12.35 ms`. */
export function formatLatency(ms: number): string {
  return `${formatNumber(ms)} ms`;
}

/** A fraction as a percentage: 0.025 -> `2.5%`. */
export function formatPercent(fraction: number): string {
  return `${formatNumber(fraction * 100)}%`;
}

/**
 * A span of time in its largest whole units, up to two: `30d`, `6h`, `1h30m`, `90ms`.
 * @example formatSpan(5_400_000) // '1h30m'
 */
export function formatSpan(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  let rest = Math.round(ms);
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    } else if (parts.length > 0) break;
  }
  if (parts.length === 0) return `${rest}ms`;
  return parts.join('');
}
