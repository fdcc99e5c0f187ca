import { describe, expect, it } from 'vitest';
import { mulberry32 } from './top-k';
import {
  absDelta,
  confidentError,
  entropy,
  flipThenDelta,
  fastLn,
  jensenShannon,
  labelFlip,
  leastConfidence,
  margin,
  marginValue,
  predictedClass,
  thresholdDistance,
  topTwoAt,
  voteEntropy,
} from './uncertainty';

const f32 = (...v: number[]) => Float32Array.from(v);
const LN2 = Math.log(2);
const LN3 = Math.log(3);
/** Entropy in nats of a distribution, computed the long way for the expectations. */
const H = (...p: number[]) => -p.reduce((acc, x) => acc + (x > 0 ? x * Math.log(x) : 0), 0);

function expectClose(actual: Float64Array, expected: number[], digits = 6): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(actual[i]!, `index ${i}`).toBeCloseTo(e, digits));
}

describe('least confidence', () => {
  it('is 1 − max p for multiclass rows', () => {
    // [0.7, 0.2, 0.1] → 1 − 0.7 = 0.3; [0.4, 0.35, 0.25] → 0.6; uniform thirds → 2/3.
    expectClose(leastConfidence(f32(0.7, 0.2, 0.1, 0.4, 0.35, 0.25, 1 / 3, 1 / 3, 1 / 3), 3, 3), [0.3, 0.6, 2 / 3]);
  });

  it('is 1 − max(p, 1 − p) for binary scores', () => {
    // p = 0.8 → 0.2; p = 0.3 → 1 − 0.7 = 0.3; p = 0.5 → 0.5; p = 0 → 0.
    expectClose(leastConfidence(f32(0.8, 0.3, 0.5, 0), 4, 1), [0.2, 0.3, 0.5, 0]);
  });

  it('is the mean binary measure per label for multilabel rows', () => {
    // [0.9, 0.5, 0.2] → (0.1 + 0.5 + 0.2) / 3 = 0.26667
    expectClose(leastConfidence(f32(0.9, 0.5, 0.2), 1, 3, { multilabel: true }), [0.8 / 3]);
  });
});

describe('margin', () => {
  it('ranks by 1 − (top1 − top2)', () => {
    // [0.7, 0.2, 0.1] → 1 − 0.5 = 0.5; [0.4, 0.35, 0.25] → 1 − 0.05 = 0.95; a tie [0.4, 0.4, 0.2] → 1.
    expectClose(margin(f32(0.7, 0.2, 0.1, 0.4, 0.35, 0.25, 0.4, 0.4, 0.2), 3, 3), [0.5, 0.95, 1]);
  });

  it('is 1 − |2p − 1| for binary', () => {
    // p = 0.8 → 1 − 0.6 = 0.4; p = 0.5 → 1; p = 0.05 → 1 − 0.9 = 0.1; p = 1 → 0.
    expectClose(margin(f32(0.8, 0.5, 0.05, 1), 4, 1), [0.4, 1, 0.1, 0]);
  });

  it('exposes the raw margin and the top two classes for reasons', () => {
    const s = f32(0.1, 0.55, 0.35);
    expect(marginValue(s, 0, 3)).toBeCloseTo(0.2, 6);
    expect(topTwoAt(s, 0, 3)).toMatchObject({ first: 1, second: 2 });
    // binary p = 0.515 → margin |1.03 − 1| = 0.03, positive class first
    expect(marginValue(f32(0.515), 0, 1)).toBeCloseTo(0.03, 6);
    expect(topTwoAt(f32(0.515), 0, 1)).toMatchObject({ first: 1, second: 0 });
    expect(topTwoAt(f32(0.2), 0, 1)).toMatchObject({ first: 0, second: 1 });
    // ties: lower index first
    expect(topTwoAt(f32(0.3, 0.3, 0.4), 0, 3)).toMatchObject({ first: 2, second: 0 });
  });
});

describe('entropy', () => {
  it('matches hand-computed values, normalised by ln k', () => {
    // [0.5, 0.5, 0]: H = ln 2 → ln2 / ln3 = 0.630930
    // [0.7, 0.2, 0.1]: H = 0.7·0.356675 + 0.2·1.609438 + 0.1·2.302585 = 0.801819 → / ln3 = 0.729847
    // uniform thirds → 1; one-hot → 0
    expectClose(entropy(f32(0.5, 0.5, 0, 0.7, 0.2, 0.1, 1 / 3, 1 / 3, 1 / 3, 1, 0, 0), 4, 3), [
      LN2 / LN3,
      0.801819 / LN3,
      1,
      0,
    ]);
    expect(0.801819 / LN3).toBeCloseTo(0.729847, 6);
    expect(H(0.7, 0.2, 0.1)).toBeCloseTo(0.801819, 6);
  });

  it('uses [1 − p, p] over ln 2 for binary', () => {
    // p = 0.9: H = 0.9·0.105361 + 0.1·2.302585 = 0.325083 → / ln2 = 0.468996; p = 0.5 → 1; p = 0 and 1 → 0
    expectClose(entropy(f32(0.9, 0.5, 0, 1), 4, 1), [0.468996, 1, 0, 0]);
    expect(H(0.9, 0.1) / LN2).toBeCloseTo(0.468996, 6);
  });

  it('renormalises rows that do not sum to 1 and treats all-zero rows as uniform', () => {
    // [0.35, 0.35, 0] is [0.5, 0.5, 0] scaled by 0.7 → ln2 / ln3
    expectClose(entropy(f32(0.35, 0.35, 0, 0, 0, 0), 2, 3), [LN2 / LN3, 1]);
  });

  it('averages binary entropies for multilabel rows', () => {
    // [0.5, 0.9] → (1 + 0.468996) / 2 = 0.734498
    expectClose(entropy(f32(0.5, 0.9), 1, 2, { multilabel: true }), [0.734498]);
  });

  it('stays in [0, 1] on random rows', () => {
    const next = mulberry32(3);
    const n = 2000;
    const k = 5;
    const s = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < k; j++) sum += s[i * k + j] = (next() / 2 ** 32) ** 3;
      for (let j = 0; j < k; j++) s[i * k + j]! /= sum;
    }
    for (const v of entropy(s, n, k)) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });
});

describe('threshold distance', () => {
  it('is 1 at the threshold and scales by the farther side (t = 0.2)', () => {
    // t = 0.2, scale = max(0.2, 0.8) = 0.8:
    // p = 0.2 → 1; p = 0.5 → 1 − 0.3/0.8 = 0.625; p = 0 → 1 − 0.2/0.8 = 0.75; p = 1 → 0; p = 0.1 → 0.875
    expectClose(thresholdDistance(f32(0.2, 0.5, 0, 1, 0.1), 5, 0.2), [1, 0.625, 0.75, 0, 0.875]);
  });

  it('equals the binary margin priority at t = 0.5', () => {
    const s = f32(0.1, 0.3, 0.5, 0.77, 0.99);
    expectClose(thresholdDistance(s, 5, 0.5), Array.from(margin(s, 5, 1)));
  });

  it('rejects thresholds outside (0, 1)', () => {
    for (const t of [0, 1, -0.1, 1.5, Number.NaN]) expect(() => thresholdDistance(f32(0.5), 1, t)).toThrow(RangeError);
  });
});

describe('two-run disagreement', () => {
  it('label flip compares predicted classes (binary at p ≥ 0.5, ties to the lower index)', () => {
    // binary: 0.6 vs 0.4 → flip; 0.4 vs 0.45 → same; 0.5 (positive) vs 0.49 (negative) → flip
    expectClose(labelFlip(f32(0.6, 0.4, 0.5), f32(0.4, 0.45, 0.49), 3, 1), [1, 0, 1]);
    // multiclass: argmax 0 vs 1 → flip; tie [0.4, 0.4, 0.2] → 0 vs [0.4, 0.3, 0.3] → 0 → same
    expectClose(labelFlip(f32(0.5, 0.3, 0.2, 0.4, 0.4, 0.2), f32(0.3, 0.5, 0.2, 0.4, 0.3, 0.3), 2, 3), [1, 0]);
  });

  it('abs delta is the mean |Δp| over classes', () => {
    // binary 0.9 vs 0.49 → 0.41; [0.7, 0.2, 0.1] vs [0.1, 0.2, 0.7] → (0.6 + 0 + 0.6) / 3 = 0.4
    expectClose(absDelta(f32(0.9), f32(0.49), 1, 1), [0.41]);
    expectClose(absDelta(f32(0.7, 0.2, 0.1), f32(0.1, 0.2, 0.7), 1, 3), [0.4]);
  });

  it('Jensen–Shannon matches hand values, in [0, 1]', () => {
    // P = [0.5, 0.5], Q = [1, 0], M = [0.75, 0.25]:
    // KL(P‖M) = 0.5 ln(0.5/0.75) + 0.5 ln(0.5/0.25) = 0.143841; KL(Q‖M) = ln(1/0.75) = 0.287682
    // JS = (0.143841 + 0.287682) / 2 = 0.215762 nats → / ln2 = 0.311278
    const js = 0.5 * (0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(0.5 / 0.25) + Math.log(1 / 0.75));
    expect(js / LN2).toBeCloseTo(0.311278, 6);
    expectClose(jensenShannon(f32(0.5, 0.5), f32(1, 0), 1, 2), [0.311278]);
    // the same pair as binary scores p = 0.5, q = 0
    expectClose(jensenShannon(f32(0.5), f32(0), 1, 1), [0.311278]);
    // identical → 0; disjoint → 1
    expectClose(jensenShannon(f32(0.2, 0.3, 0.5, 1, 0, 0), f32(0.2, 0.3, 0.5, 0, 0, 1), 2, 3), [0, 1]);
    expectClose(jensenShannon(f32(1, 0.3), f32(0, 0.3), 2, 1), [1, 0]);
  });

  it('checks both arrays', () => {
    expect(() => absDelta(f32(0.1, 0.2), f32(0.1), 2, 1)).toThrow(/b holds 1 values/);
  });
});

describe('vote entropy', () => {
  it('matches hand values for 3 runs', () => {
    const runs = [f32(0.7, 0.2, 0.1, 0.7, 0.2, 0.1, 0.6, 0.3, 0.1)];
    runs.push(f32(0.6, 0.3, 0.1, 0.1, 0.8, 0.1, 0.5, 0.4, 0.1));
    runs.push(f32(0.2, 0.7, 0.1, 0.1, 0.1, 0.8, 0.9, 0.05, 0.05));
    // example 0: votes 0, 0, 1 → shares 2/3, 1/3: H = 2/3·0.405465 + 1/3·1.098612 = 0.636514 → / ln3 = 0.579380
    // example 1: votes 0, 1, 2 → ln3 / ln3 = 1; example 2: unanimous → 0
    expect(H(2 / 3, 1 / 3)).toBeCloseTo(0.636514, 6);
    expectClose(voteEntropy(runs, 3, 3), [0.57938, 1, 0]);
  });

  it('normalises by ln(min(runs, classes))', () => {
    // binary, 3 runs voting 1, 1, 0 → 0.636514 / ln 2 = 0.918296
    expectClose(voteEntropy([f32(0.9), f32(0.6), f32(0.2)], 1, 1), [0.918296]);
    // binary, 4 runs split 2–2 → 1
    expectClose(voteEntropy([f32(0.9), f32(0.6), f32(0.2), f32(0.1)], 1, 1), [1]);
    // 10 classes, 3 runs all different → ln3 / ln(min(3, 10)) = 1
    const row = (c: number) => Float32Array.from({ length: 10 }, (_, j) => (j === c ? 0.9 : 0.01));
    expectClose(voteEntropy([row(1), row(4), row(7)], 1, 10), [1]);
  });

  it('needs at least 3 runs', () => {
    expect(() => voteEntropy([f32(0.5), f32(0.5)], 1, 1)).toThrow('vote entropy needs at least 3 model runs, got 2');
  });
});

describe('confident error', () => {
  it('is the predicted-class probability where the known truth differs', () => {
    // binary p = 0.97 (predicts 1): truth 0 → 0.97; truth 1 → 0; unknown → 0
    // binary p = 0.1 (predicts 0 at 0.9): truth 1 → 0.9
    expectClose(confidentError(f32(0.97, 0.97, 0.97, 0.1), 4, 1, Int32Array.from([0, 1, -1, 1])), [0.97, 0, 0, 0.9]);
    // multiclass [0.1, 0.8, 0.1]: truth 2 → 0.8; truth 1 → 0; truth −1 → 0
    const s = f32(0.1, 0.8, 0.1, 0.1, 0.8, 0.1, 0.1, 0.8, 0.1);
    expectClose(confidentError(s, 3, 3, Int32Array.from([2, 1, -1])), [0.8, 0, 0]);
  });

  it('rejects a truth that is not a class', () => {
    expect(() => confidentError(f32(0.2, 0.8), 1, 2, Int32Array.from([2]))).toThrow(RangeError);
    expect(() => confidentError(f32(0.8), 1, 1, Int32Array.from([2]))).toThrow(RangeError);
  });
});

describe('binary k = 1 and two-class k = 2 agree', () => {
  const next = mulberry32(11);
  const n = 500;
  const p = new Float32Array(n);
  const q = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    p[i] = next() / 2 ** 32;
    q[i] = i % 7 === 0 ? p[i]! : next() / 2 ** 32;
  }
  p[0] = 0;
  p[1] = 1;
  const two = (x: Float32Array) => {
    const out = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      out[2 * i] = 1 - x[i]!;
      out[2 * i + 1] = x[i]!;
    }
    return out;
  };
  const p2 = two(p);
  const q2 = two(q);
  const truth = Int32Array.from({ length: n }, (_, i) => (i % 3) - 1);

  const cases: [string, () => [Float64Array, Float64Array]][] = [
    ['leastConfidence', () => [leastConfidence(p, n, 1), leastConfidence(p2, n, 2)]],
    ['margin', () => [margin(p, n, 1), margin(p2, n, 2)]],
    ['entropy', () => [entropy(p, n, 1), entropy(p2, n, 2)]],
    ['labelFlip', () => [labelFlip(p, q, n, 1), labelFlip(p2, q2, n, 2)]],
    ['absDelta', () => [absDelta(p, q, n, 1), absDelta(p2, q2, n, 2)]],
    ['jensenShannon', () => [jensenShannon(p, q, n, 1), jensenShannon(p2, q2, n, 2)]],
    ['voteEntropy', () => [voteEntropy([p, q, p], n, 1), voteEntropy([p2, q2, p2], n, 2)]],
    ['confidentError', () => [confidentError(p, n, 1, truth), confidentError(p2, n, 2, truth)]],
  ];
  it.each(cases)('%s', (_name, run) => {
    const [one, twoCol] = run();
    for (let i = 0; i < n; i++) expect(one[i]!, `example ${i}`).toBeCloseTo(twoCol[i]!, 6);
  });

  it('except the predicted class at exactly p = 0.5', () => {
    // binary predicts the positive class at 0.5; [0.5, 0.5] is a tie that goes to class 0
    expect(predictedClass(f32(0.5), 0, 1)).toBe(1);
    expect(predictedClass(f32(0.5, 0.5), 0, 2)).toBe(0);
  });
});

describe('input checks', () => {
  it('rejects short arrays and bad shapes', () => {
    expect(() => entropy(f32(0.1, 0.2), 1, 3)).toThrow(/fewer than n × k/);
    expect(() => margin(f32(0.5), 1, 0)).toThrow(RangeError);
    expect(() => margin(f32(0.5), -1, 1)).toThrow(RangeError);
    expect(entropy(f32(), 0, 3)).toHaveLength(0);
  });

  it('gives all-equal rows equal priorities', () => {
    const s = new Float32Array(12).fill(0.25);
    expectClose(entropy(s, 3, 4), [1, 1, 1]);
    expectClose(margin(s, 3, 4), [1, 1, 1]);
    expectClose(leastConfidence(s, 3, 4), [0.75, 0.75, 0.75]);
  });
});

describe('fastLn', () => {
  it('matches Math.log to 3e-11 and is exact at powers of two', () => {
    expect(fastLn(1)).toBe(0);
    expect(fastLn(0.5)).toBe(-Math.LN2);
    expect(fastLn(0.25)).toBe(-2 * Math.LN2);
    const next = mulberry32(17);
    let worst = 0;
    for (let i = 0; i < 100_000; i++) {
      // spread over many binades: u^8 reaches down to ~1e-30
      const x = Math.max(1e-12, (next() / 2 ** 32) ** 8);
      worst = Math.max(worst, Math.abs(fastLn(x) - Math.log(x)));
    }
    for (const x of [1e-12, 0.1, 0.3, 0.7, 0.9999999, 1 - 2 ** -40, 1.5, 3, 1e6]) {
      worst = Math.max(worst, Math.abs(fastLn(x) - Math.log(x)));
    }
    expect(worst).toBeLessThan(3e-11);
  });
});

describe('flipThenDelta', () => {
  it('equals labelFlip + absDelta, multiclass and binary', () => {
    const a = Float32Array.from([0.7, 0.2, 0.1, 0.3, 0.3, 0.4, 0.5, 0.5, 0]);
    const b = Float32Array.from([0.1, 0.8, 0.1, 0.2, 0.3, 0.5, 0.5, 0.5, 0]);
    const fused = flipThenDelta(a, b, 3, 3);
    const flip = labelFlip(a, b, 3, 3);
    const delta = absDelta(a, b, 3, 3);
    expect(Array.from(fused)).toEqual(Array.from(flip, (f, i) => f + delta[i]!));
    expect(fused[0]).toBeCloseTo(1 + 1.2 / 3, 6); // flip: 0 vs 1, mean |Δp| 0.4
    expect(fused[1]).toBeCloseTo(0.2 / 3, 6); // both class 2
    const pa = Float32Array.from([0.4, 0.9]);
    const pb = Float32Array.from([0.6, 0.8]);
    expect(Array.from(flipThenDelta(pa, pb, 2, 1)).map((x) => +x.toFixed(6))).toEqual([1.2, 0.1]);
  });
});
