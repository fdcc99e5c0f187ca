import { describe, expect, it } from 'vitest';
import { decisionReport, impliedThreshold, thresholdDecisions } from './decisions';

// Ten binary examples, P(positive) and the true class, worked by hand at 0.5 and at 0.3.
const P = [0.1, 0.2, 0.25, 0.35, 0.4, 0.45, 0.6, 0.7, 0.8, 0.9];
const TRUTH = Int32Array.from([0, 0, 1, 1, 0, 1, 1, 0, 1, 1]);
const probs = Float64Array.from(P.flatMap((p) => [1 - p, p]));

describe('metrics at a threshold', () => {
  it('matches the hand-worked confusion at 0.5 and at 0.3', () => {
    const at05 = decisionReport(TRUTH, thresholdDecisions(probs, 10, 0.5), 2);
    // positive: 6, 7, 8, 9 → TP 3 (6, 8, 9), FP 1 (7), FN 3 (2, 3, 5), TN 3 (0, 1, 4)
    expect(at05.confusion).toEqual([
      [3, 1],
      [3, 3],
    ]);
    expect(at05.accuracy).toBeCloseTo(0.6, 12);
    expect(at05.macroF1).toBeCloseTo(0.6, 12);
    const at03 = decisionReport(TRUTH, thresholdDecisions(probs, 10, 0.3), 2);
    // positive: 3 … 9 → TP 5 (3, 5, 6, 8, 9), FP 2 (4, 7), FN 1 (2), TN 2 (0, 1)
    expect(at03.confusion).toEqual([
      [2, 2],
      [1, 5],
    ]);
    expect(at03.accuracy).toBeCloseTo(0.7, 12);
    expect(at03.perClass[1]).toMatchObject({ support: 6, predicted: 7 });
    expect(at03.perClass[1]!.precision).toBeCloseTo(5 / 7, 12);
    expect(at03.perClass[1]!.recall).toBeCloseTo(5 / 6, 12);
    expect(at03.perClass[1]!.f1).toBeCloseTo(10 / 13, 12);
    expect(at03.perClass[0]!.precision).toBeCloseTo(2 / 3, 12);
    expect(at03.perClass[0]!.recall).toBeCloseTo(0.5, 12);
    expect(at03.perClass[0]!.f1).toBeCloseTo(4 / 7, 12);
    expect(at03.macroF1).toBeCloseTo((10 / 13 + 4 / 7) / 2, 12);
  });

  it('P exactly at the threshold is positive; a threshold outside (0, 1) is refused', () => {
    expect(Array.from(thresholdDecisions(Float64Array.from([0.7, 0.3]), 1, 0.3))).toEqual([1]);
    expect(() => thresholdDecisions(probs, 10, 1)).toThrow(RangeError);
    expect(() => thresholdDecisions(probs, 10, 0)).toThrow(RangeError);
  });

  it('finds the thresholds that reproduce logged decisions, or says none does', () => {
    const at03 = thresholdDecisions(probs, 10, 0.3);
    expect(impliedThreshold(probs, at03)).toEqual({ above: 0.25, atMost: 0.35, consistent: true });
    const swapped = Int32Array.from(at03);
    swapped[2] = 1; // 0.25 decided positive while 0.35 … stay positive and 0.2 negative: still one threshold
    expect(impliedThreshold(probs, swapped)).toEqual({ above: 0.2, atMost: 0.25, consistent: true });
    swapped[9] = 0; // 0.9 decided negative: no single threshold
    expect(impliedThreshold(probs, swapped).consistent).toBe(false);
  });
});
