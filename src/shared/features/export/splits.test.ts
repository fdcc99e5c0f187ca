import { describe, expect, it } from 'vitest';
import type { SplitPolicy } from './contract';
import { csvCell, csvRow } from './csv';
import { assignSplits, defaultPolicy, SplitError } from './splits';

const DAY = 86_400_000;
const rows = (n: number, groups?: (string | null)[]) => ({
  ids: Array.from({ length: n }, (_, i) => `e${i}`),
  ts: Float64Array.from({ length: n }, (_, i) => i * DAY),
  ...(groups ? { groups } : {}),
});

describe('splits', () => {
  it('cuts by time fractions, oldest to train, newest to test', () => {
    expect(Array.from(assignSplits(rows(10), { kind: 'time-fractions', fractions: [0.8, 0.1, 0.1] }))).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 1, 2,
    ]);
    expect(defaultPolicy(rows(3))).toEqual({ kind: 'time-fractions', fractions: [0.8, 0.1, 0.1] });
  });

  it('cuts by time fractions as a full sort by (time, key, row) would, ties at the cut included', () => {
    // The full sort the rank-based split replaces, kept here as the reference.
    const reference = (ids: string[], ts: Float64Array, fractions: [number, number, number]) => {
      const sum = fractions[0] + fractions[1] + fractions[2];
      const [f0, f1] = [fractions[0] / sum, fractions[1] / sum];
      const order = ids
        .map((_, i) => i)
        .sort((a, b) => ts[a]! - ts[b]! || (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
      const out = new Uint8Array(ids.length);
      order.forEach((i, rank) => {
        const at = rank / ids.length;
        out[i] = at < f0 ? 0 : at < f0 + f1 ? 1 : 2;
      });
      return Array.from(out);
    };
    let seed = 7;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed % n;
    };
    const fractionSets: [number, number, number][] = [
      [0.8, 0.1, 0.1],
      [1, 0, 0],
      [0, 0, 1],
      [0, 1, 0],
      [0.5, 0.5, 0],
      [1, 1, 1],
      [0.7, 0, 0.3],
    ];
    for (let trial = 0; trial < 400; trial++) {
      // Mostly small, with few distinct times: many ties, often at a cut. Every fourth is larger,
      // with more distinct times, so the selection of the cut times partitions several rounds.
      const n = 1 + (trial % 4 === 3 ? next(3000) : next(60));
      const times = 1 + (trial % 4 === 3 ? next(500) : next(6));
      const ids = Array.from({ length: n }, () => `k${next(n)}`); // repeated keys too
      const ts = Float64Array.from({ length: n }, () => next(times) * DAY);
      const fractions = fractionSets[trial % fractionSets.length]!;
      expect(Array.from(assignSplits({ ids, ts }, { kind: 'time-fractions', fractions }))).toEqual(
        reference(ids, ts, fractions),
      );
    }
  });

  it('cuts at time cut-offs and refuses one outside the data', () => {
    const split = assignSplits(rows(10), { kind: 'time-cutoffs', cutoffs: [5 * DAY, 8 * DAY] });
    expect(Array.from(split)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 2, 2]);
    expect(() => assignSplits(rows(10), { kind: 'time-cutoffs', cutoffs: [5 * DAY, 20 * DAY] })).toThrow(
      /cut-off 1970-01-21T00:00:00.000Z is after the newest example \(1970-01-10T00:00:00.000Z\): test would be empty/,
    );
    expect(() => assignSplits(rows(10), { kind: 'time-cutoffs', cutoffs: [0, 5 * DAY] })).toThrow(
      /train would be empty/,
    );
  });

  it('keeps a group in one split and refuses rows without the group key', () => {
    const groups = ['u1', 'u2', 'u1', 'u3', 'u2', 'u4', 'u1', 'u5', 'u6', 'u7'];
    const split = assignSplits(rows(10, groups), { kind: 'time-fractions', fractions: [0.6, 0.2, 0.2] });
    const byGroup = new Map<string, Set<number>>();
    groups.forEach((g, i) => byGroup.set(g, (byGroup.get(g) ?? new Set()).add(split[i]!)));
    for (const s of byGroup.values()) expect(s.size).toBe(1);
    expect(split[6]).toBe(0); // u1's earliest example is the oldest row
    expect(() => assignSplits(rows(3, ['a', null, 'b']), { kind: 'random', fractions: [1, 1, 1], seed: 1 })).toThrow(
      /1 examples lack the group key \(first: e1\)/,
    );
  });

  it('splits at random only by a seeded hash: same seed, same split', () => {
    const policy: SplitPolicy = { kind: 'random', fractions: [0.5, 0.25, 0.25], seed: 42 };
    const a = assignSplits(rows(2000), policy);
    expect(Array.from(assignSplits(rows(2000), policy))).toEqual(Array.from(a));
    const train = a.filter((s) => s === 0).length;
    expect(train).toBeGreaterThan(900);
    expect(train).toBeLessThan(1100);
    expect(Array.from(assignSplits(rows(2000), { ...policy, seed: 43 }))).not.toEqual(Array.from(a));
  });

  it('asks for a policy when examples lack timestamps', () => {
    const r = { ids: ['a', 'b'], ts: Float64Array.from([1, Number.NaN]) };
    expect(() => defaultPolicy(r)).toThrow(SplitError);
    expect(Array.from(assignSplits(r, { kind: 'none' }))).toEqual([0, 0]);
  });
});

describe('CSV cells', () => {
  it('neutralises formulas but not numbers, and quotes per RFC 4180', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1 555')).toBe("'+1 555");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('-1.5')).toBe('-1.5');
    expect(csvCell('+3e-2')).toBe('+3e-2');
    expect(csvCell(-2)).toBe('-2');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell(null)).toBe('');
    expect(csvRow(['x', 1, null])).toBe('x,1,\r\n');
  });
});
