/**
 * Edit distance between two strings, counting insertions, deletions, substitutions and
 * swaps of two adjacent characters as one edit each (optimal string alignment, the
 * restricted Damerau-Levenshtein distance).
 * @example editDistance('windwo', 'window') // 1
 */
export function editDistance(a: string, b: string): number {
  // Three rolling rows: the transposition step looks two rows back.
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, before[j - 2]! + 1);
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate closest to `word`, ignoring case, when it is close enough to be a likely
 * typo: at most `max(2, word.length / 3)` edits away. Ties go to the earlier candidate.
 * @example didYouMean('windw', ['window', 'evaluation']) // 'window'
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance && distance <= limit && candidate !== word) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
