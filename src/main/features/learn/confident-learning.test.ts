import { describe, expect, it } from 'vitest';
import { classThresholds, findLabelIssues, outOfSampleProba, stratifiedFolds } from './confident-learning';
import { selectRows, type DenseDesign } from './design';
import { fitLogistic, predictProba } from './logistic';

describe('findLabelIssues', () => {
  it('a hand-worked case of nine rows over three classes', () => {
    const proba = Float32Array.from([
      ...[0.9, 0.05, 0.05], // 0: labelled 0
      ...[0.8, 0.1, 0.1], //   1: labelled 0
      ...[0.1, 0.8, 0.1], //   2: labelled 0
      ...[0.2, 0.7, 0.1], //   3: labelled 1
      ...[0.3, 0.6, 0.1], //   4: labelled 1
      ...[0.5, 0.1, 0.4], //   5: labelled 2
      ...[0.7, 0.1, 0.2], //   6: labelled 2
      ...[0.45, 0.1, 0.45], // 7: labelled 1
      ...[0.05, 0.5, 0.45], // 8: labelled 0
    ]);
    const y = Int32Array.from([0, 0, 0, 1, 1, 2, 2, 1, 0]);
    // Thresholds (mean probability of the class over rows labelled with it):
    //   t0 = (0.9 + 0.8 + 0.1 + 0.05)/4 = 0.4625, t1 = (0.7 + 0.6 + 0.1)/3 = 0.4667, t2 = (0.4 + 0.2)/2 = 0.3
    const t = classThresholds(proba, y, 3);
    expect(t[0]).toBeCloseTo(0.4625, 6);
    expect(t[1]).toBeCloseTo(1.4 / 3, 6);
    expect(t[2]).toBeCloseTo(0.3, 6);
    // Row 0, 1: p0 ≥ t0. Row 3, 4: p1 = 0.7, 0.6 ≥ t1. Row 5: p2 = 0.4 ≥ t2. All fine.
    // Row 2: p0 = 0.1 < t0; p1 = 0.8 ≥ t1 (p2 = 0.1 < t2)           → issue, suggest 1.
    // Row 6: p2 = 0.2 < t2; p0 = 0.7 ≥ t0 (p1 = 0.1 < t1)           → issue, suggest 0.
    // Row 7: p1 = 0.1 < t1; p0 = 0.45 < t0, p2 = 0.45 ≥ t2          → issue, suggest 2.
    // Row 8: p0 = 0.05 < t0; p1 = 0.5 ≥ t1 and p2 = 0.45 ≥ t2: the more probable, 1 → issue, suggest 1.
    // Ranked by self-confidence: row 8 (0.05), rows 2 and 7 (0.1, by row), row 6 (0.2).
    const issues = findLabelIssues(proba, y, 3);
    expect(issues.map((i) => [i.index, i.givenLabel, i.suggestedLabel])).toEqual([
      [8, 0, 1],
      [2, 0, 1],
      [7, 1, 2],
      [6, 2, 0],
    ]);
    expect(issues[0]!.selfConfidence).toBeCloseTo(0.05, 6);
    expect(issues[0]!.suggestedConfidence).toBeCloseTo(0.5, 6);
  });

  it('a class no row carries has no threshold and is never suggested', () => {
    const proba = Float32Array.from([0.9, 0.05, 0.05, 0.2, 0.1, 0.7]);
    const y = Int32Array.from([0, 0]);
    expect(Number.isNaN(classThresholds(proba, y, 3)[2])).toBe(true);
    expect(findLabelIssues(proba, y, 3)).toEqual([]);
  });

  it('refuses a shape mismatch and labels outside the classes', () => {
    expect(() => findLabelIssues(new Float32Array(5), Int32Array.from([0, 1]), 3)).toThrow(/5 values/);
    expect(() => findLabelIssues(new Float32Array(4), Int32Array.from([0, 2]), 2)).toThrow(/not a class/);
  });
});

describe('stratifiedFolds', () => {
  it('spreads each class evenly, sizes within one, the same for the same seed', () => {
    const strata = Int32Array.from({ length: 103 }, (_, i) => (i % 10 < 7 ? 0 : i % 10 < 9 ? 1 : 2));
    const a = stratifiedFolds(strata, 5, 42);
    expect(Array.from(a)).toEqual(Array.from(stratifiedFolds(strata, 5, 42)));
    expect(Array.from(a)).not.toEqual(Array.from(stratifiedFolds(strata, 5, 43)));
    const sizes = [0, 0, 0, 0, 0];
    for (const f of a) sizes[f]!++;
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (let c = 0; c < 3; c++) {
      const perFold = [0, 0, 0, 0, 0];
      strata.forEach((s, r) => s === c && perFold[a[r]!]!++);
      expect(Math.max(...perFold) - Math.min(...perFold)).toBeLessThanOrEqual(1);
    }
  });
});

describe('outOfSampleProba', () => {
  const rows = 60;
  const values = Float32Array.from({ length: rows * 2 }, (_, i) => {
    const r = i >> 1;
    return i % 2 === 0 ? (r % 2 === 0 ? 1 : -1) + ((r * 37) % 11) / 20 - 0.25 : ((r * 17) % 13) / 13 - 0.5;
  });
  const x: DenseDesign = { kind: 'dense', rows, dim: 2, values };
  const y = Int32Array.from({ length: rows }, (_, r) => (r % 2 === 0 ? 1 : 0));
  y[10] = 0; // two wrong labels
  y[33] = 1;

  it('gives each row the prediction of a model fitted without it', () => {
    const options = { task: 'binary' as const, classes: 2 };
    const proba = outOfSampleProba(x, y, options, 4, 7);
    const fold = stratifiedFolds(y, 4, 7);
    for (let f = 0; f < 4; f++) {
      const train = Int32Array.from(Array.from(fold.keys()).filter((r) => fold[r] !== f));
      const model = fitLogistic(
        selectRows(x, train),
        Int32Array.from(train, (r) => y[r]!),
        options,
      );
      const p = predictProba(model, x);
      for (let r = 0; r < rows; r++) if (fold[r] === f) expect(proba[r * 2 + 1]).toBe(p[r * 2 + 1]);
    }
  });

  it('with findLabelIssues, ranks the two flipped labels first', () => {
    const proba = outOfSampleProba(x, y, { task: 'binary', classes: 2 }, 5, 1);
    const issues = findLabelIssues(proba, y, 2);
    expect(
      issues
        .slice(0, 2)
        .map((i) => i.index)
        .sort((a, b) => a - b),
    ).toEqual([10, 33]);
    expect(issues[0]!.selfConfidence).toBeLessThan(0.2);
  });

  it('refuses fewer than two rows', () => {
    const one: DenseDesign = { kind: 'dense', rows: 1, dim: 1, values: Float32Array.from([1]) };
    expect(() => outOfSampleProba(one, Int32Array.from([1]), { task: 'binary', classes: 2 })).toThrow(/at least 2/);
  });
});
