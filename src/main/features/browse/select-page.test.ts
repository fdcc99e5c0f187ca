import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../shared/features/mining';
import { pageOrder } from './select-page';

/** The order a plain sort gives: by key (NaN last), ties by row. */
function reference(matched: number[], keys: Float64Array, descending: boolean): number[] {
  const sign = descending ? -1 : 1;
  const v = (r: number) => (Number.isNaN(keys[r]!) ? Infinity : sign * keys[r]!);
  return [...matched].sort((a, b) => (v(a) === v(b) ? a - b : v(a) - v(b)));
}

describe('page order', () => {
  it('equals a full sort for any page, both directions, with ties and missing keys, by heap and by full sort', () => {
    const rng = mulberry32(7);
    for (const n of [0, 1, 17, 3000, 45_000]) {
      const keys = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const u = rng() / 2 ** 32;
        keys[i] = u < 0.05 ? Number.NaN : Math.round(u * 50) / 50; // many ties
      }
      const matched = Array.from({ length: n }, (_, i) => i).filter(() => rng() / 2 ** 32 < 0.8);
      const m = Int32Array.from(matched);
      for (const descending of [false, true]) {
        const ref = reference(matched, keys, descending);
        for (const [offset, limit] of [
          [0, 10],
          [5, 200],
          [Math.max(0, matched.length - 50), 100],
          [19_990, 30], // crosses into the full sort
          [30_000, 500],
        ] as const) {
          const got = Array.from(pageOrder(m, (r) => keys[r]!, descending, offset, limit));
          expect(got, `n=${n} desc=${descending} offset=${offset}`).toEqual(ref.slice(offset, offset + limit));
        }
      }
      const logOrder = Array.from(pageOrder(m, null, true, 2, 5));
      expect(logOrder).toEqual([...matched].reverse().slice(2, 7));
    }
  });
});
