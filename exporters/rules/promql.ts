/**
 * Small PromQL writing helpers: durations, numbers, label matchers and selectors, spelled so
 * that `promtool check rules` accepts them and a reader recognises them.
 */

const DURATION_UNITS: readonly (readonly [string, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/**
 * A PromQL duration in the largest unit that divides `ms` exactly: `5m`, `1h`, `30d`, `36h`.
 * Also the suffix of window-named rules (`slo:sli_error:ratio_rate30d`), as in Sloth.
 */
export function promDuration(ms: number): string {
  const whole = Math.round(ms);
  const [unit, size] = DURATION_UNITS.find(([, unitMs]) => whole % unitMs === 0) ?? ['ms', 1];
  return `${whole / size}${unit}`;
}

/** A number as PromQL text, rounded to 12 significant digits: `1 - 0.99` is `0.01`, not `0.010000000000000009`. */
export function promNumber(value: number): string {
  return String(Number(value.toPrecision(12)));
}

/** A label value as a PromQL string literal (JSON escaping is valid PromQL escaping). */
function quote(value: string): string {
  return JSON.stringify(value);
}

/** `name="value"` for each entry, joined by `separator`. */
export function matchers(labels: Readonly<Record<string, string>>, separator = ','): string {
  return Object.entries(labels)
    .map(([name, value]) => `${name}=${quote(value)}`)
    .join(separator);
}
