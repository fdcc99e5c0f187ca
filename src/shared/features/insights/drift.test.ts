import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../mining/top-k';
import { DRIFT_ALERT, DRIFT_WARN, PSI_EPSILON, driftLevel, kolmogorovSurvival, ks, psi } from './drift';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** n draws from N(mean, 1) (Box–Muller over mulberry32). */
function normal(n: number, mean: number, seed: number): Float64Array {
  const next = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = (next() + 1) / 2 ** 32;
    const v = next() / 2 ** 32;
    out[i] = mean + Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return out;
}

describe('driftLevel', () => {
  it('reads 0.1 as warn and 0.2 as alert', () => {
    expect(DRIFT_WARN).toBe(0.1);
    expect(DRIFT_ALERT).toBe(0.2);
    expect(driftLevel(0)).toBe('ok');
    expect(driftLevel(0.0999)).toBe('ok');
    expect(driftLevel(0.1)).toBe('warn');
    expect(driftLevel(0.1999)).toBe('warn');
    expect(driftLevel(0.2)).toBe('alert');
    expect(driftLevel(Infinity)).toBe('alert');
    expect(() => driftLevel(NaN)).toThrow(RangeError);
  });
});

describe('psi', () => {
  it('computes a known two-bin histogram', () => {
    // reference 0..9, 2 bins: the median cut is 4.5 (between 4 and 5) → reference 5 | 5 = 0.5 | 0.5
    // current 0 1 2 3 4 0 1 2 | 8 9 → 0.8 | 0.2
    // PSI = (0.8 − 0.5)·ln(0.8/0.5) + (0.2 − 0.5)·ln(0.2/0.5) = 0.3·(ln 1.6 − ln 0.4) = 0.3·ln 4 = 0.4158883
    expect(psi(range(10), [0, 1, 2, 3, 4, 0, 1, 2, 8, 9], 2)).toBeCloseTo(0.4158883083359672, 14);
    // the same distribution → 0
    expect(psi(range(10), range(10), 2)).toBe(0);
    expect(psi(range(100), range(100))).toBe(0);
  });

  it('gives empty bins an epsilon of 1e-4', () => {
    expect(PSI_EPSILON).toBe(1e-4);
    // reference 0..9 (0.5 | 0.5), current all ≤ 4.5 (1 | 0 → 1e-4):
    // (1 − 0.5)·ln(1/0.5) + (1e-4 − 0.5)·ln(1e-4/0.5) = 0.5·0.6931472 + 0.4999·8.5171932 = 4.6043185
    expect(psi(range(10), [0, 1, 2, 3, 4], 2)).toBeCloseTo(4.60431846666895, 12);
  });

  it('merges bins when the reference has ties at a cut point', () => {
    // reference 0 0 0 0 0 0 0 0 1 2, 10 bins: cut j at position h = 9j/10 of the sorted values
    // j = 1..7: h ≤ 6.3 → 0; j = 8: h = 7.2 → 0 + 0.2·(1 − 0) = 0.2; j = 9: h = 8.1 → 1 + 0.1·(2 − 1) = 1.1
    // distinct cuts 0, 0.2, 1.1 → bins (−∞, 0] (0, 0.2] (0.2, 1.1] (1.1, ∞): reference 0.8 | 0 | 0.1 | 0.1
    // current 0 0 0 0 0 1 1 2 2 2 → 0.5 | 0 | 0.2 | 0.3
    // PSI = (0.5 − 0.8)·ln(0.5/0.8) + 0 + (0.2 − 0.1)·ln 2 + (0.3 − 0.1)·ln 3
    //     = 0.1410011 + 0.0693147 + 0.2197225 = 0.4300383
    const ref = [0, 0, 0, 0, 0, 0, 0, 0, 1, 2];
    expect(psi(ref, [0, 0, 0, 0, 0, 1, 1, 2, 2, 2])).toBeCloseTo(0.4300382645633372, 14);
  });

  it('handles a constant reference with bins below, at and above its value', () => {
    // reference all 5 → bins (−∞, 5) [5] (5, ∞): reference 1e-4 | 1 | 1e-4
    expect(psi([5, 5, 5, 5], [5, 5])).toBe(0);
    // current 5 5 6 6 → 1e-4 | 0.5 | 0.5: (0.5 − 1)·ln 0.5 + (0.5 − 1e-4)·ln(0.5/1e-4) = 4.6043185
    expect(psi([5, 5, 5, 5], [5, 5, 6, 6])).toBeCloseTo(4.60431846666895, 12);
    // current all 4 → 1 | 1e-4 | 1e-4: (1 − 1e-4)·ln 1e4 + (1e-4 − 1)·ln 1e-4 = 2·0.9999·9.2103404 = 18.4188387
    expect(psi([5, 5, 5, 5], [4, 4, 4, 4])).toBeCloseTo(18.41883867587797, 10);
  });

  it('puts current values beyond the reference range into the end bins', () => {
    // reference 0..9, cut 4.5: −100 counts as low, 100 as high → 0.5 | 0.5 = no drift
    expect(psi(range(10), [-100, 100], 2)).toBe(0);
  });

  it('ignores non-finite values and returns null without finite values', () => {
    const withNaN = [NaN, 0, 1, 2, Infinity, 3, 4, 5, 6, 7, -Infinity, 8, 9];
    expect(psi(withNaN, [0, 1, 2, 3, 4, 0, 1, 2, 8, NaN, 9], 2)).toBeCloseTo(0.4158883083359672, 14);
    expect(psi([NaN, NaN], [1, 2])).toBeNull();
    expect(psi([1, 2], [])).toBeNull();
    expect(psi([], [])).toBeNull();
  });

  it('is near 0 for two samples of one distribution and large for a shifted one', () => {
    const ref = normal(20_000, 0, 1);
    expect(psi(ref, normal(20_000, 0, 2))!).toBeLessThan(0.01);
    const shifted = psi(ref, normal(20_000, 0.5, 3))!;
    expect(driftLevel(shifted)).toBe('alert');
  });

  it('rejects a bad bin count', () => {
    expect(() => psi([1, 2], [1, 2], 1)).toThrow(RangeError);
    expect(() => psi([1, 2], [1, 2], 2.5)).toThrow(/bins/);
  });
});

describe('kolmogorovSurvival', () => {
  it('matches reference values on both sides of the series switch at 1.18', () => {
    // scipy.special.kolmogorov
    const known: [number, number][] = [
      [0.3, 0.9999906941986655],
      [0.5, 0.9639452436648751],
      [1.0, 0.26999967167735456],
      [1.17, 0.12939004218561884],
      [1.18, 0.1234538094297657],
      [1.19, 0.11774229287977166],
      [1.5, 0.022217962616525127],
      [2.0, 0.0006709252557796953],
    ];
    for (const [x, q] of known) expect(kolmogorovSurvival(x)).toBeCloseTo(q, 13);
    expect(kolmogorovSurvival(0)).toBe(1);
    expect(kolmogorovSurvival(0.01)).toBe(1);
    expect(kolmogorovSurvival(40)).toBe(0);
  });
});

describe('ks', () => {
  it('computes D of two small samples', () => {
    // a = 1 2 3 4, b = 3 4 5 6 7
    // x:    1     2     3     4     5    6    7
    // Fa: 0.25  0.50  0.75  1     1    1    1
    // Fb: 0     0     0.2   0.4   0.6  0.8  1
    // |Δ|: 0.25 0.50  0.55  0.60  0.4  0.2  0  → D = 0.6 (scipy ks_2samp agrees)
    // nₑ = 4·5/9, √nₑ = 1.4907120; λ = (1.4907120 + 0.12 + 0.11/1.4907120)·0.6 = 1.0107013
    // p = Q_KS(1.0107013) = 0.2587047 (scipy.special.kolmogorov)
    const r = ks([1, 2, 3, 4], [3, 4, 5, 6, 7])!;
    expect(r.statistic).toBeCloseTo(0.6, 15);
    expect(r.pValue).toBeCloseTo(0.2587046967126684, 12);
    // symmetric
    expect(ks([3, 4, 5, 6, 7], [1, 2, 3, 4])!.statistic).toBeCloseTo(0.6, 15);
  });

  it('steps over ties before comparing', () => {
    // a = 1 1 2 2, b = 1 2 2 2: at 1: Fa = 0.5, Fb = 0.25 → 0.25; at 2: 1, 1 → 0 → D = 0.25
    // (comparing inside the tie at 1 would wrongly see Fa = 0.5 against Fb = 0)
    expect(ks([1, 1, 2, 2], [1, 2, 2, 2])!.statistic).toBe(0.25);
    // unsorted input is fine
    expect(ks([2, 1, 2, 1], [2, 2, 1, 2])!.statistic).toBe(0.25);
  });

  it('gives D = 0 and p = 1 for identical samples', () => {
    const x = normal(1000, 0, 4);
    expect(ks(x, x)).toEqual({ statistic: 0, pValue: 1 });
    expect(ks([5, 5, 5], [5, 5])).toEqual({ statistic: 0, pValue: 1 });
  });

  it('gives D = 1 and a tiny p for clearly separated samples', () => {
    const a = normal(1000, 0, 5).map((v) => Math.min(v, 4.9));
    const b = a.map((v) => v + 10);
    const r = ks(a, b)!;
    expect(r.statistic).toBe(1);
    expect(r.pValue).toBeLessThan(1e-6);
    // constant reference against another constant
    expect(ks([3, 3, 3, 3], [4, 4, 4, 4])!.statistic).toBe(1);
  });

  it('keeps p large for two samples of one distribution and small for a modest shift', () => {
    const ref = normal(5000, 0, 6);
    expect(ks(ref, normal(5000, 0, 7))!.pValue).toBeGreaterThan(0.01);
    expect(ks(ref, normal(5000, 0.2, 8))!.pValue).toBeLessThan(1e-6);
  });

  it('ignores non-finite values and returns null without finite values', () => {
    expect(ks([NaN, 1, 2, 3, 4, Infinity], [3, 4, NaN, 5, 6, 7])!.statistic).toBeCloseTo(0.6, 15);
    expect(ks([NaN], [1])).toBeNull();
    expect(ks([1], [])).toBeNull();
  });
});
