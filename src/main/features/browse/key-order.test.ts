import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../shared/features/mining';
import { comparedKeyOrder, keyOrder, packedKeyOrder, pageByKey } from './key-order';

/** More rows than the packed order can number. */
const ROW_LIMIT = 2 ** 21;

/** The order a plain sort gives: by key (NaN last either way), ties by row. */
function reference(rows: number[], keys: Float64Array, descending: boolean): number[] {
  const sign = descending ? -1 : 1;
  const v = (r: number) => (Number.isNaN(keys[r]!) ? Infinity : sign * keys[r]!);
  return [...rows].sort((a, b) => (v(a) === v(b) ? a - b : v(a) - v(b)));
}

describe('pages in key order', () => {
  it('equal a full sort of the kept rows for any page, both directions, with ties and missing keys', () => {
    const rng = mulberry32(7);
    for (const n of [0, 1, 17, 3000, 45_000]) {
      const keys = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const u = rng() / 2 ** 32;
        keys[i] = u < 0.05 ? Number.NaN : Math.round(u * 50) / 50; // many ties
      }
      const keep = new Uint8Array(n);
      const kept: number[] = [];
      for (let i = 0; i < n; i++)
        if (rng() / 2 ** 32 < 0.8) {
          keep[i] = 1;
          kept.push(i);
        }
      const key = (r: number) => keys[r]!;
      const sorted = keyOrder(n, key);
      for (const descending of [false, true]) {
        const ref = reference(kept, keys, descending);
        for (const [offset, limit] of [
          [0, 10],
          [5, 200],
          [Math.max(0, kept.length - 50), 100],
          [19_990, 30],
          [30_000, 500],
        ] as const) {
          const got = Array.from(pageByKey(sorted, key, keep, descending, offset, limit));
          expect(got, `n=${n} desc=${descending} offset=${offset}`).toEqual(ref.slice(offset, offset + limit));
        }
      }
    }
  });

  it('packs float32 keys (scores) into one sortable number each and orders them as a comparator sort does', () => {
    const rng = mulberry32(11);
    const special = [0, -0, Infinity, -Infinity, Math.fround(1e-40), -Math.fround(1e-40), Math.fround(3.4e38)];
    for (const n of [0, 1, 2, 50, 20_000]) {
      const keys = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const u = rng() / 2 ** 32;
        keys[i] =
          u < 0.05
            ? Number.NaN
            : u < 0.1
              ? special[i % special.length]!
              : u < 0.5
                ? Math.round(u * 40) / 40 // ties
                : (rng() / 2 ** 32) * 2 - 1;
      }
      const key = (r: number) => keys[r]!;
      const packed = packedKeyOrder(n, key);
      expect(packed, `n=${n}`).not.toBeNull();
      const compared = comparedKeyOrder(n, key);
      expect(packed!.keyed).toBe(compared.keyed);
      expect(Array.from(packed!.order)).toEqual(Array.from(compared.order));
    }
  });

  it('sorts keys that are no float32 values (times, 1 − score) with the comparator, and agrees with it', () => {
    const keys = Float64Array.from([0.1, 0.3, Number.NaN, 0.1, 0.2]);
    expect(packedKeyOrder(keys.length, (r) => keys[r]!)).toBeNull();
    expect(Array.from(keyOrder(keys.length, (r) => keys[r]!).order)).toEqual([0, 3, 4, 1, 2]);
    expect(packedKeyOrder(ROW_LIMIT + 1, () => 0.5)).toBeNull();
  });

  it('orders a million keys that come nearly sorted (times in log order)', () => {
    const n = 1_000_000;
    const ts = new Float64Array(n);
    for (let i = 0; i < n; i++) ts[i] = 1.7e12 + i * 1000 + (i % 97 === 0 ? -5000 : 0);
    const t0 = performance.now();
    const sorted = keyOrder(n, (r) => ts[r]!);
    const ms = performance.now() - t0;
    let outOfOrder = 0;
    for (let i = 1; i < n; i++) if (ts[sorted.order[i]!]! < ts[sorted.order[i - 1]!]!) outOfOrder++;
    expect(outOfOrder).toBe(0);
    expect(new Set(sorted.order).size).toBe(n);
    console.log(`[browse] 1M nearly sorted times ordered in ${ms.toFixed(0)} ms`);
  });
});
