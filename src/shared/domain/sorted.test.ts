import { describe, expect, it } from 'vitest';
import { countBelow, kthSmallest } from './sorted';

let seed = 11;
const next = (n: number) => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed % n;
};

/** Inputs that break naive pivots: sorted, reversed, all equal, organ pipe, few distinct values. */
function shapes(n: number): Float64Array[] {
  return [
    Float64Array.from({ length: n }, () => next(1_000_000) - 500_000),
    Float64Array.from({ length: n }, () => next(3)),
    Float64Array.from({ length: n }, (_, i) => i),
    Float64Array.from({ length: n }, (_, i) => n - i),
    new Float64Array(n).fill(5),
    Float64Array.from({ length: n }, (_, i) => Math.min(i, n - i)),
    Float64Array.from({ length: n }, (_, i) => (i % 2 ? i : -i) * 0.5),
  ];
}

describe('kthSmallest', () => {
  it('finds the value a sort puts at k, and leaves nothing larger before k or smaller after it', () => {
    for (const n of [1, 2, 3, 5, 17, 100, 1000, 5000]) {
      for (const values of shapes(n)) {
        const sorted = Float64Array.from(values).sort();
        for (const k of new Set([0, n - 1, n >> 1, next(n), next(n)])) {
          const a = Float64Array.from(values);
          const v = kthSmallest(a, k);
          expect(v).toBe(sorted[k]);
          for (let i = 0; i < n; i++) expect(i < k ? a[i]! <= v : a[i]! >= v).toBe(true);
          expect(Float64Array.from(a).sort()).toEqual(sorted); // a reordering, nothing lost
        }
      }
    }
  });

  it('finds a second, larger k from the first', () => {
    for (const values of shapes(2000)) {
      const sorted = Float64Array.from(values).sort();
      const a = Float64Array.from(values);
      expect(kthSmallest(a, 1600)).toBe(sorted[1600]);
      expect(kthSmallest(a, 1800, 1600)).toBe(sorted[1800]);
      expect(countBelow(sorted, sorted[1800]!)).toBeLessThanOrEqual(1800);
    }
  });
});
