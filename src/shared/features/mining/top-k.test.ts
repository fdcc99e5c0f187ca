import { describe, expect, it } from 'vitest';
import { mulberry32, seededSample, topK } from './top-k';

/** The reference: every eligible, non-NaN index sorted by priority desc, then index asc. */
function bySort(priority: Float64Array, k: number, eligible?: Uint8Array): number[] {
  const idx: number[] = [];
  priority.forEach((p, i) => {
    if (!Number.isNaN(p) && (!eligible || eligible[i] !== 0)) idx.push(i);
  });
  idx.sort((a, b) => priority[b]! - priority[a]! || a - b);
  return idx.slice(0, k);
}

function randomPriorities(n: number, seed: number, levels: number): Float64Array {
  const next = mulberry32(seed);
  // levels > 0: few distinct values, so many ties; otherwise continuous
  return Float64Array.from({ length: n }, () => {
    const u = next() / 2 ** 32;
    return levels > 0 ? Math.floor(u * levels) / levels : u;
  });
}

describe('topK', () => {
  it('returns the k largest, best first, ties to the lower index', () => {
    const p = Float64Array.from([0.2, 0.9, 0.5, 0.9, 0.1, 0.5]);
    expect(Array.from(topK(p, 4))).toEqual([1, 3, 2, 5]);
    expect(Array.from(topK(p, 1))).toEqual([1]);
    expect(Array.from(topK(p, 0))).toEqual([]);
  });

  it('handles all-equal priorities and k > n', () => {
    const p = new Float64Array(6).fill(0.5);
    expect(Array.from(topK(p, 3))).toEqual([0, 1, 2]);
    expect(Array.from(topK(p, 10))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(topK(new Float64Array(0), 5))).toEqual([]);
  });

  it('respects eligibility and skips NaN', () => {
    const p = Float64Array.from([0.9, Number.NaN, 0.8, 0.7, -Infinity]);
    expect(Array.from(topK(p, 5, Uint8Array.from([0, 1, 1, 1, 1])))).toEqual([2, 3, 4]);
    expect(Array.from(topK(p, 2))).toEqual([0, 2]);
  });

  it('agrees with a full sort on random data', () => {
    let seed = 1;
    for (const n of [1, 2, 10, 257, 1000, 10007]) {
      for (const k of [1, 2, 5, 100, n - 1, n, n + 5]) {
        if (k < 0) continue;
        for (const levels of [0, 7]) {
          const p = randomPriorities(n, seed++, levels);
          expect(Array.from(topK(p, k)), `n=${n} k=${k} levels=${levels}`).toEqual(bySort(p, k));
          const next = mulberry32(seed++);
          const eligible = Uint8Array.from({ length: n }, () => (next() % 3 === 0 ? 0 : 1));
          expect(Array.from(topK(p, k, eligible)), `eligible n=${n} k=${k}`).toEqual(bySort(p, k, eligible));
        }
      }
    }
  });

  it('agrees with a full sort on large inputs (sampled floor), in any order', () => {
    const n = 100_003;
    let seed = 100;
    for (const levels of [0, 7, 1000]) {
      const p = randomPriorities(n, seed++, levels);
      const ascending = Float64Array.from(p).sort();
      const descending = Float64Array.from(ascending).reverse();
      for (const arr of [p, ascending, descending]) {
        for (const k of [1, 10, 1000, 12_000]) {
          expect(Array.from(topK(arr, k)), `levels=${levels} k=${k}`).toEqual(bySort(arr, k));
        }
      }
      const next = mulberry32(seed++);
      const sparse = Uint8Array.from({ length: n }, () => (next() % 50 === 0 ? 1 : 0));
      expect(Array.from(topK(p, 500, sparse))).toEqual(bySort(p, 500, sparse));
    }
  });

  it('falls back to a full scan when the sample misleads', () => {
    // high values exactly at the sampled positions, low everywhere else: the floor lands among the
    // high values, fewer than k reach it, and the scan is redone without it
    const n = 100_000;
    const next = mulberry32(77);
    const p = Float64Array.from({ length: n }, () => (next() / 2 ** 32) * 0.5);
    for (let j = 0; j < 4096; j++) p[Math.floor((j * n) / 4096)] = 0.9 + (next() / 2 ** 32) * 0.1;
    expect(Array.from(topK(p, 10_000))).toEqual(bySort(p, 10_000));
  });

  it('rejects bad arguments', () => {
    expect(() => topK(new Float64Array(3), -1)).toThrow(RangeError);
    expect(() => topK(new Float64Array(3), 1.5)).toThrow(RangeError);
    expect(() => topK(new Float64Array(3), 1, new Uint8Array(2))).toThrow(RangeError);
  });
});

describe('mulberry32', () => {
  it('is deterministic and spreads over 32 bits', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(2 ** 32);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length / 2 ** 32;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});

describe('seededSample', () => {
  const isValid = (s: Int32Array, n: number) => {
    for (let i = 0; i < s.length; i++) {
      expect(s[i]).toBeGreaterThanOrEqual(0);
      expect(s[i]).toBeLessThan(n);
      if (i > 0) expect(s[i]!).toBeGreaterThan(s[i - 1]!); // ascending, so no duplicates
    }
  };

  it('is deterministic per seed, ascending and without duplicates', () => {
    const a = seededSample(10_000, 500, 42);
    expect(a).toHaveLength(500);
    isValid(a, 10_000);
    expect(Array.from(seededSample(10_000, 500, 42))).toEqual(Array.from(a));
    expect(Array.from(seededSample(10_000, 500, 43))).not.toEqual(Array.from(a));
    // seeds beyond 32 bits still count
    expect(Array.from(seededSample(10_000, 50, 2 ** 40))).not.toEqual(Array.from(seededSample(10_000, 50, 0)));
  });

  it('samples only eligible indexes', () => {
    const eligible = Uint8Array.from({ length: 1000 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const s = seededSample(1000, 100, 7, eligible);
    expect(s).toHaveLength(100);
    isValid(s, 1000);
    for (const i of s) expect(i % 4).toBe(0);
  });

  it('returns every eligible index when k is not smaller than their count', () => {
    expect(Array.from(seededSample(5, 9, 1))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(seededSample(5, 2, 1, Uint8Array.from([0, 1, 0, 0, 1])))).toEqual([1, 4]);
    expect(Array.from(seededSample(5, 0, 1))).toEqual([]);
    expect(Array.from(seededSample(0, 3, 1))).toEqual([]);
  });

  it('is roughly uniform', () => {
    // 400 samples of 10 out of 100: each index expected 40 times
    const counts = new Array<number>(100).fill(0);
    for (let seed = 0; seed < 400; seed++) for (const i of seededSample(100, 10, seed)) counts[i]!++;
    expect(Math.min(...counts)).toBeGreaterThan(15);
    expect(Math.max(...counts)).toBeLessThan(70);
  });

  it('rejects unsafe seeds', () => {
    expect(() => seededSample(10, 2, 1.5)).toThrow(RangeError);
    expect(() => seededSample(10, 2, 2 ** 60)).toThrow(RangeError);
  });
});
