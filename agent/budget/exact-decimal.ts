/**
 * Budgets as the decimals a user wrote. `225ms x 28%` is 63.00000000000001 in binary floating
 * point and `63ms x 70%` is 44.099999999999994; a histogram bound or a budget carrying that noise
 * prints as `le="0.04409999999999999"`, misses a PromQL selector `le="0.0441"` and sits beside
 * the same bound from another context as a second, equal `le`. Every derived budget goes through
 * {@link exactMs}, and every conversion to seconds through {@link msToSeconds}, so equal budgets
 * are equal numbers and print as the shortest decimal.
 */

/**
 * Significant decimal digits kept of a derived budget. A product of two doubles is off by about
 * 1e-16 relative; 12 digits remove that noise and keep any budget a config can spell (budgets
 * differing only beyond the 12th significant digit become one).
 */
const BUDGET_SIGNIFICANT_DIGITS = 12;

/**
 * `ms` rounded to {@link BUDGET_SIGNIFICANT_DIGITS} significant decimal digits: the double nearest
 * that decimal, so `String()` prints it exactly (`63`, `44.1`, `0.0003`). Non-finite values pass.
 * @example
 * exactMs(225 * 0.28); // 63
 */
export function exactMs(ms: number): number {
  if (!Number.isFinite(ms) || ms === 0) return ms;
  return Number(ms.toExponential(BUDGET_SIGNIFICANT_DIGITS - 1));
}

/**
 * A share of a budget, ms, as an exact decimal: `shareOfMs(225, 0.28)` is 63.
 * @param budgetMs the whole budget, ms
 * @param share the phase's share, 0..1
 */
export function shareOfMs(budgetMs: number, share: number): number {
  return exactMs(budgetMs * share);
}

/**
 * Milliseconds as seconds, an exact decimal: the decimal exponent is shifted on the digits
 * (`44.1` ms is `0.0441` s), never divided in binary (`44.1 / 1000` is 0.04409999999999999).
 * @example
 * msToSeconds(6.3); // 0.0063, not 0.006300000000000001
 */
export function msToSeconds(ms: number): number {
  if (!Number.isFinite(ms) || ms === 0) return ms / 1000;
  const [digits, exponent] = ms.toExponential(BUDGET_SIGNIFICANT_DIGITS - 1).split('e');
  return Number(`${digits}e${Number(exponent) - 3}`);
}
