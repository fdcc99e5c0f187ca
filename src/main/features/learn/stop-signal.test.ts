import { describe, expect, it } from 'vitest';
import { cohenKappa, expectedGain, kappaAverage } from './stop-signal';

describe('cohenKappa', () => {
  it('two classes, balanced: p_o = 4/6, p_e = ½·½ + ½·½ = ½, κ = (2/3 − 1/2)/(1/2) = 1/3', () => {
    expect(cohenKappa(Int32Array.from([0, 0, 1, 1, 1, 0]), Int32Array.from([0, 1, 1, 1, 0, 0]))).toBeCloseTo(1 / 3, 12);
  });

  it('three classes, unequal margins: p_o = 5/8, p_e = (4·3 + 2·3 + 2·2)/64 = 22/64, κ = 18/42 = 3/7', () => {
    const a = Int32Array.from([0, 1, 2, 0, 1, 2, 0, 0]);
    const b = Int32Array.from([0, 1, 1, 0, 2, 2, 0, 1]);
    expect(cohenKappa(a, b)).toBeCloseTo(3 / 7, 12);
    expect(cohenKappa(a, b, 4)).toBeCloseTo(3 / 7, 12); // an unused class changes nothing
  });

  it('is 1 for identical vectors, also when both are one constant class', () => {
    expect(cohenKappa(Int32Array.from([2, 0, 1]), Int32Array.from([2, 0, 1]))).toBe(1);
    expect(cohenKappa(Int32Array.from([1, 1, 1]), Int32Array.from([1, 1, 1]))).toBe(1);
  });

  it('refuses vectors of different lengths and classes out of range', () => {
    expect(() => cohenKappa(Int32Array.from([0]), Int32Array.from([0, 1]))).toThrow(/one length/);
    expect(() => cohenKappa(Int32Array.from([0, 3]), Int32Array.from([0, 1]), 2)).toThrow(/not one of 2/);
  });
});

describe('kappaAverage', () => {
  it('averages the last three kappas and stops at 0.99, NaN counting as 1', () => {
    expect(kappaAverage([0.9, 0.95])).toEqual({ average: null, stop: false, window: 3, threshold: 0.99 });
    const notYet = kappaAverage([0.5, 0.97, 0.99, 0.995]);
    expect(notYet.average).toBeCloseTo((0.97 + 0.99 + 0.995) / 3, 12);
    expect(notYet.stop).toBe(false);
    const stop = kappaAverage([0.5, 0.985, Number.NaN, 0.995]);
    expect(stop.average).toBeCloseTo((0.985 + 1 + 0.995) / 3, 12);
    expect(stop.stop).toBe(true);
  });
});

describe('expectedGain', () => {
  it('recovers an exact log-linear curve and reads the gain over the next 100 labels', () => {
    const curve = [100, 200, 400, 800].map((labels) => ({ labels, accuracy: 0.5 + 0.05 * Math.log(labels) }));
    const g = expectedGain(curve);
    expect(g.slope).toBeCloseTo(0.05, 12);
    expect(g.intercept).toBeCloseTo(0.5, 12);
    expect(g.from).toBe(800);
    expect(g.gain).toBeCloseTo(0.05 * Math.log(900 / 800), 12); // 0.005889
    expect(expectedGain(curve, 800).gain).toBeCloseTo(0.05 * Math.log(2), 12);
  });

  it('least squares through noisy points: the hand-computed slope', () => {
    // x = ln n for n = e, e², e³: 1, 2, 3; y = 0.6, 0.7, 0.71. Slope = Σdx·dy/Σdx² = (−1·−0.07 + 1·0.04)/2 = 0.055.
    const curve = [1, 2, 3].map((x, i) => ({ labels: Math.exp(x), accuracy: [0.6, 0.7, 0.71][i]! }));
    expect(expectedGain(curve).slope).toBeCloseTo(0.055, 12);
  });

  it('a flat or falling curve expects no gain; one point cannot be fitted', () => {
    expect(
      expectedGain([
        { labels: 50, accuracy: 0.8 },
        { labels: 100, accuracy: 0.78 },
      ]).gain,
    ).toBe(0);
    expect(expectedGain([{ labels: 50, accuracy: 0.8 }]).gain).toBeNull();
    expect(expectedGain([]).gain).toBeNull();
  });
});
