/** How many of the ascending values are strictly below x (a binary search). */
export function countBelow(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The k-th smallest of a[from..to) (k counted from 0 over the whole array), found by partitioning
 * in place (Hoare's FIND with a median-of-three pivot): linear on average, where sorting is
 * n log n. Afterwards no value before k is larger and none after it smaller, so a second call
 * for a larger k can start from k. Runs of equal values split evenly; should pivots keep going
 * badly, the part left is sorted instead.
 */
export function kthSmallest(a: Float64Array, k: number, from = 0, to = a.length): number {
  let lo = from;
  let hi = to - 1;
  let rounds = 4 * (32 - Math.clz32(to - from)) + 8;
  while (lo < hi) {
    if (rounds-- === 0) {
      a.subarray(lo, hi + 1).sort();
      break;
    }
    const x = a[lo]!;
    const y = a[(lo + hi) >>> 1]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (pivot < a[j]!) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    // a[lo..j] <= pivot <= a[i..hi], and what lies between equals the pivot.
    if (j < k) lo = i;
    if (k < i) hi = j;
  }
  return a[k]!;
}
