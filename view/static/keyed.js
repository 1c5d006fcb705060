// Putting a list of kept elements in a new order with as few DOM moves as possible: the elements
// on the longest run already in order stay where they are, every other one is moved once (the
// approach of keyed lists in Inferno, Vue 3 and ivi). One operation that changes place then costs
// one move, not a move of every row between its old and new place.

/**
 * The indices of a longest strictly increasing subsequence of `values` (patience sorting, O(n log n)).
 * @param {number[]} values
 * @returns {number[]}
 */
function longestIncreasing(values) {
  const tails = [];
  const previous = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    let low = 0;
    let high = tails.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (values[tails[mid]] < values[i]) low = mid + 1;
      else high = mid;
    }
    previous[i] = low > 0 ? tails[low - 1] : -1;
    tails[low] = i;
  }
  const result = new Array(tails.length);
  for (let i = tails.length - 1, at = tails.at(-1) ?? -1; i >= 0; i--, at = previous[at]) result[i] = at;
  return result;
}

/**
 * Makes `parent`'s children exactly `wanted`, in that order. Children not in `wanted` must have
 * been removed by the caller; elements of `wanted` not yet in `parent` are inserted.
 * @param {Element} parent
 * @param {Element[]} wanted
 */
export function reorder(parent, wanted) {
  const place = new Map(wanted.map((element, i) => [element, i]));
  const current = [...parent.children];
  const staying = new Set(longestIncreasing(current.map((e) => place.get(e))).map((i) => current[i]));
  let next = null;
  for (let i = wanted.length - 1; i >= 0; i--) {
    const element = wanted[i];
    if (!staying.has(element)) parent.insertBefore(element, next);
    next = element;
  }
}
