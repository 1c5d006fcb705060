// Budgets whose phase shares carry float noise, and the histogram bounds they must give.

/**
 * Two contexts whose phase shares are noisy in binary: 225 ms x 28 % = 63.00000000000001 beside
 * lookup's budget of 63 ms, and 63 ms x 70 % = 44.099999999999994 (lookup's seed phases are 20 %,
 * 10 % and 70 %: 12.6, 6.3 and 44.1 ms).
 */
export const NOISY_CONTEXTS = {
  search: { budget: '225ms', phases: { query: '28%', render: '72%' } },
  lookup: { budget: '63ms' },
};

/**
 * The bounds {@link NOISY_CONTEXTS} give, in seconds as exporters print them: the defaults, the seed
 * contexts' budgets (50, 200, 1000 ms) and shares, and the noisy ones, each once, as the exact decimal.
 */
export const NOISY_BOUNDS_SECONDS: readonly string[] = [
  '0.001',
  '0.0025',
  '0.005',
  '0.0063',
  '0.01',
  '0.0126',
  '0.02',
  '0.025',
  '0.035',
  '0.04',
  '0.0441',
  '0.05',
  '0.063',
  '0.1',
  '0.14',
  '0.162',
  '0.2',
  '0.225',
  '0.25',
  '0.5',
  '0.7',
  '1',
  '2.5',
  '5',
  '10',
];
