import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../mining/top-k';
import { aucOneVsRest, aucRanking, weightedAuc } from './auc';
import { compareRecall, compareRuns, compareWithRecalls, sortedQuantile, type ComparedMetric } from './bootstrap';
import { classificationReport, type ClassificationReport } from './metrics';

/** Rows where the predicted class gets `top` and the others share the rest evenly. */
function rowsFor(pred: number[], k: number, top = 0.6): Float64Array {
  const out = new Float64Array(pred.length * k).fill((1 - top) / (k - 1));
  pred.forEach((p, i) => (out[i * k + p] = top));
  return out;
}

/** Binary scores s as k = 2 rows [1 − s, s]. */
function binaryRows(scores: number[]): Float64Array {
  const out = new Float64Array(scores.length * 2);
  scores.forEach((s, i) => {
    out[2 * i] = 1 - s;
    out[2 * i + 1] = s;
  });
  return out;
}

describe('classificationReport', () => {
  // truth 0 0 0 0 1 1 1 2 2 2, predicted 0 0 1 2 1 1 0 2 2 1 → confusion (rows = truth):
  //   t0: [2, 1, 1]   t1: [1, 2, 0]   t2: [0, 1, 2]
  // predicted counts 3, 4, 3; support 4, 3, 3; TP 2, 2, 2.
  // class 0: P = 2/3, R = 2/4, F1 = 2·2/(4+3) = 4/7
  // class 1: P = 2/4, R = 2/3, F1 = 4/(3+4) = 4/7
  // class 2: P = 2/3, R = 2/3, F1 = 4/6 = 2/3
  // macro-F1 = (4/7 + 4/7 + 2/3)/3 = 38/63; accuracy = 6/10.
  const truth3 = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
  const pred3 = [0, 0, 1, 2, 1, 1, 0, 2, 2, 1];

  it('computes the confusion matrix, per-class metrics and macro-F1 of a 3-class case', () => {
    const r = classificationReport(truth3, rowsFor(pred3, 3), 3);
    expect(r.n).toBe(10);
    expect(r.k).toBe(3);
    expect(r.confusion).toEqual([
      [2, 1, 1],
      [1, 2, 0],
      [0, 1, 2],
    ]);
    expect(r.accuracy).toBeCloseTo(0.6, 15);
    const expected = [
      { precision: 2 / 3, recall: 2 / 4, f1: 4 / 7, support: 4, predicted: 3 },
      { precision: 2 / 4, recall: 2 / 3, f1: 4 / 7, support: 3, predicted: 4 },
      { precision: 2 / 3, recall: 2 / 3, f1: 2 / 3, support: 3, predicted: 3 },
    ];
    expected.forEach((e, c) => {
      const m = r.perClass[c]!;
      expect(m.cls).toBe(c);
      expect(m.precision).toBeCloseTo(e.precision, 15);
      expect(m.recall).toBeCloseTo(e.recall, 15);
      expect(m.f1).toBeCloseTo(e.f1, 15);
      expect(m.support).toBe(e.support);
      expect(m.predicted).toBe(e.predicted);
    });
    expect(r.macroF1).toBeCloseTo(38 / 63, 15);
    // every row gives its prediction 0.6 and the true class 0.6 (right) or 0.2 (wrong):
    // log loss = (6·(−ln 0.6) + 4·(−ln 0.2)) / 10 = (6·0.5108256 + 4·1.6094379) / 10 = 0.9502705
    expect(r.logLoss).toBeCloseTo(0.9502705392332345, 12);
    // all confidences 0.6 → one bin [0.6, 0.7) with accuracy 0.6: ECE = |0.6 − 0.6| = 0
    expect(r.ece).toBeCloseTo(0, 12);
    expect(r.reliability).toHaveLength(10);
    expect(r.reliability[6]).toMatchObject({ count: 10, lo: 0.6, hi: 0.7 });
    expect(r.reliability[6]!.confidence).toBeCloseTo(0.6, 12);
    expect(r.reliability[0]).toEqual({ lo: 0, hi: 0.1, count: 0, confidence: null, accuracy: null });
  });

  it('leaves a class nobody mentions out of macro-F1 and counts an invented class as F1 0', () => {
    // k = 4, class 3 never in truth nor predicted: same 38/63, class 3 all null
    const probs4 = new Float64Array(40);
    pred3.forEach((p, i) => {
      for (let j = 0; j < 3; j++) probs4[i * 4 + j] = j === p ? 0.6 : 0.2;
    });
    const r4 = classificationReport(truth3, probs4, 4);
    expect(r4.macroF1).toBeCloseTo(38 / 63, 15);
    expect(r4.perClass[3]).toEqual({ cls: 3, precision: null, recall: null, f1: null, support: 0, predicted: 0 });

    // truth 0 0 1 1, predicted 0 2 1 1 (k = 3): class 0 F1 = 2·1/(2+1) = 2/3, class 1 F1 = 2·2/(2+2) = 1,
    // class 2 (predicted once, never true) F1 = 0, precision 0, recall null → macro = (2/3 + 1 + 0)/3 = 5/9
    const r = classificationReport(Int32Array.from([0, 0, 1, 1]), rowsFor([0, 2, 1, 1], 3), 3);
    expect(r.macroF1).toBeCloseTo(5 / 9, 15);
    expect(r.perClass[2]).toEqual({ cls: 2, precision: 0, recall: null, f1: 0, support: 0, predicted: 1 });
  });

  it('breaks argmax ties towards the lower class index', () => {
    const r = classificationReport(Int32Array.from([1, 2]), Float64Array.from([0.2, 0.4, 0.4, 0.5, 0, 0.5]), 3);
    // row 0 → class 1 (right), row 1 → class 0 (wrong)
    expect(r.confusion).toEqual([
      [0, 0, 0],
      [0, 1, 0],
      [1, 0, 0],
    ]);
  });

  it('computes a rank AUC for k = 2 (P(class 1)), ties counting 1/2', () => {
    // positives 0.35, 0.8; negatives 0.1, 0.4: pairs (0.35>0.1) (0.35<0.4) (0.8>0.1) (0.8>0.4) → 3/4
    const t = Int32Array.from([0, 0, 1, 1]);
    expect(classificationReport(t, binaryRows([0.1, 0.4, 0.35, 0.8]), 2).rocAuc).toBeCloseTo(0.75, 15);
    // positives 0.5, 0.9; negatives 0.2, 0.5: 1 + ½ (tie 0.5 = 0.5) + 1 + 1 = 3.5 of 4 pairs
    expect(classificationReport(t, binaryRows([0.2, 0.5, 0.5, 0.9]), 2).rocAuc).toBeCloseTo(0.875, 15);
    // all scores equal: every pair a tie → 0.5
    expect(classificationReport(t, binaryRows([0.3, 0.3, 0.3, 0.3]), 2).rocAuc).toBe(0.5);
    // one class only → undefined
    expect(classificationReport(Int32Array.from([1, 1]), binaryRows([0.2, 0.7]), 2).rocAuc).toBeNull();
  });

  it('computes average precision (PR-AUC) as scikit-learn does, tied scores taken together', () => {
    const t = Int32Array.from([0, 0, 1, 1]);
    // scikit-learn's own example: scores 0.1 0.4 0.35 0.8 → thresholds 0.8 (P 1, R ½), 0.4 (P ½, R ½),
    // 0.35 (P ⅔, R 1): AP = ½·1 + 0·½ + ½·⅔ = 0.8333…
    expect(classificationReport(t, binaryRows([0.1, 0.4, 0.35, 0.8]), 2).prAuc).toBeCloseTo(5 / 6, 15);
    // a tie at 0.5 of a positive and a negative is one threshold: 0.9 (P 1, R ½), 0.5 (P ⅔, R 1)
    // → ½·1 + ½·⅔ = 5/6
    expect(classificationReport(t, binaryRows([0.2, 0.5, 0.5, 0.9]), 2).prAuc).toBeCloseTo(5 / 6, 15);
    // all scores tied: one threshold, P = ½ at R = 1 → the positive rate
    expect(classificationReport(t, binaryRows([0.3, 0.3, 0.3, 0.3]), 2).prAuc).toBeCloseTo(0.5, 15);
    // no positive → undefined
    expect(classificationReport(Int32Array.from([0, 0]), binaryRows([0.2, 0.7]), 2).prAuc).toBeNull();
    // k = 3, truth 0 1 2 2; class 0 column [0.5, 0.3, 0.1, 0.4]: its one positive ranks first → 1;
    // class 1 column [0.3, 0.4, 0.3, 0.4]: rows 1 and 3 tie at 0.4 (P ½, R 1) → ½;
    // class 2 column [0.2, 0.3, 0.6, 0.2]: 0.6 (P 1, R ½), 0.3 (P ½, R ½), 0.2 (P ½, R 1) → ½ + ¼ = ¾
    const probs = Float64Array.from([0.5, 0.3, 0.2, 0.3, 0.4, 0.3, 0.1, 0.3, 0.6, 0.4, 0.4, 0.2]);
    expect(classificationReport(Int32Array.from([0, 1, 2, 2]), probs, 3).prAuc).toBeCloseTo((1 + 0.5 + 0.75) / 3, 15);
  });

  it('averages one-vs-rest AUCs for k > 2 over the classes with positives and negatives', () => {
    // truth 0 1 2 2
    // class 0 column [0.5, 0.3, 0.1, 0.4]: positive 0.5 beats 0.3, 0.1, 0.4 → 3/3 = 1
    // class 1 column [0.3, 0.4, 0.3, 0.4]: positive 0.4 beats 0.3, 0.3, ties 0.4 → 2.5/3 = 5/6
    // class 2 column [0.2, 0.3, 0.6, 0.2]: positives 0.6 (beats both: 2), 0.2 (ties 0.2: ½, loses to 0.3)
    //   → 2.5/4 = 5/8
    // macro = (1 + 5/6 + 5/8)/3 = (24 + 20 + 15)/72 = 59/72
    const probs = Float64Array.from([0.5, 0.3, 0.2, 0.3, 0.4, 0.3, 0.1, 0.3, 0.6, 0.4, 0.4, 0.2]);
    const r = classificationReport(Int32Array.from([0, 1, 2, 2]), probs, 3);
    expect(r.rocAuc).toBeCloseTo(59 / 72, 15);
    // class 2 absent from the truth: its AUC is undefined and left out → (AUC₀ + AUC₁)/2
    // class 0 column [0.5, 0.3, 0.1, 0.4] with truth 0 1 1 0: positives 0.5, 0.4 beat 0.3, 0.1 → 1
    // class 1 column [0.3, 0.4, 0.3, 0.4] with positives rows 1, 2 (0.4, 0.3) vs negatives 0.3, 0.4:
    //   0.4: beats 0.3, ties 0.4 → 1.5; 0.3: ties 0.3 → 0.5, loses to 0.4 → 2/4 = 0.5 → macro 0.75
    expect(classificationReport(Int32Array.from([0, 1, 1, 0]), probs, 3).rocAuc).toBeCloseTo(0.75, 15);
  });

  it('matches a brute-force pair count on random data, and the weighted ranking agrees', () => {
    const next = mulberry32(7);
    const n = 300;
    const truth = new Int32Array(n);
    const score = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      truth[i] = next() % 2;
      const s = Math.round((next() / 2 ** 32) * 20) / 20; // 21 levels: many ties
      score[2 * i] = 1 - s;
      score[2 * i + 1] = s;
    }
    let wins = 0;
    let pairs = 0;
    for (let i = 0; i < n; i++) {
      if (truth[i] !== 1) continue;
      for (let j = 0; j < n; j++) {
        if (truth[j] !== 0) continue;
        const a = score[2 * i + 1]!;
        const b = score[2 * j + 1]!;
        wins += a > b ? 1 : a === b ? 0.5 : 0;
        pairs++;
      }
    }
    expect(aucOneVsRest(truth, score, 2, 1, 1)).toBeCloseTo(wins / pairs, 14);
    const ones = new Int32Array(n).fill(1);
    expect(weightedAuc(aucRanking(truth, score, 2, 1, 1), ones)).toBeCloseTo(wins / pairs, 14);
    // weight 2 on every example leaves the AUC unchanged; weight 0 everywhere leaves it undefined
    expect(
      weightedAuc(
        aucRanking(truth, score, 2, 1, 1),
        ones.map(() => 2),
      ),
    ).toBeCloseTo(wins / pairs, 14);
    expect(weightedAuc(aucRanking(truth, score, 2, 1, 1), new Int32Array(n))).toBeNull();
  });

  it('computes log loss with clipping', () => {
    // P(true): 0.9, 0.8, 0.4 → (0.1053605 + 0.2231436 + 0.9162907)/3 = 0.4149316
    const r = classificationReport(Int32Array.from([1, 0, 0]), binaryRows([0.9, 0.2, 0.6]), 2);
    expect(r.logLoss).toBeCloseTo(0.414931599615397, 12);
    // P(true) = 0 is clipped to 1e-15: −ln 1e-15 = 34.538776
    expect(classificationReport(Int32Array.from([1]), binaryRows([0]), 2).logLoss).toBeCloseTo(34.538776394910684, 10);
  });

  it('computes ECE and the reliability bins of a 2-bin case', () => {
    // bins [0, 0.5) and [0.5, 1]
    // a [0.4, 0.3, 0.3]   t0 → conf 0.40 right (bin 0)
    // b [0.45, 0.35, 0.2] t1 → conf 0.45 wrong (bin 0)
    // c [0.9, 0.05, 0.05] t0 → conf 0.90 right (bin 1)
    // d [0.1, 0.7, 0.2]   t1 → conf 0.70 right (bin 1)
    // e [0.2, 0.2, 0.6]   t0 → conf 0.60 wrong (bin 1)
    // bin 0: count 2, confidence 0.425, accuracy 0.5 → gap 0.075
    // bin 1: count 3, confidence 2.2/3 = 0.7333, accuracy 2/3 → gap 0.0667
    // ECE = 2/5 · 0.075 + 3/5 · 0.2/3 = 0.03 + 0.04 = 0.07
    const probs = Float64Array.from([0.4, 0.3, 0.3, 0.45, 0.35, 0.2, 0.9, 0.05, 0.05, 0.1, 0.7, 0.2, 0.2, 0.2, 0.6]);
    const r = classificationReport(Int32Array.from([0, 1, 0, 1, 0]), probs, 3, { bins: 2 });
    expect(r.ece).toBeCloseTo(0.07, 14);
    expect(r.reliability).toHaveLength(2);
    expect(r.reliability[0]).toMatchObject({ lo: 0, hi: 0.5, count: 2 });
    expect(r.reliability[0]!.confidence).toBeCloseTo(0.425, 14);
    expect(r.reliability[0]!.accuracy).toBe(0.5);
    expect(r.reliability[1]).toMatchObject({ lo: 0.5, hi: 1, count: 3 });
    expect(r.reliability[1]!.confidence).toBeCloseTo(2.2 / 3, 14);
    expect(r.reliability[1]!.accuracy).toBeCloseTo(2 / 3, 14);
    // a confidence of exactly 1 lands in the last bin
    expect(
      classificationReport(Int32Array.from([0]), Float64Array.from([1, 0]), 2, { bins: 2 }).reliability[1]!.count,
    ).toBe(1);
  });

  it('accepts float32 matrices', () => {
    const r = classificationReport(truth3, Float32Array.from(rowsFor(pred3, 3)), 3);
    expect(r.macroF1).toBeCloseTo(38 / 63, 15);
  });

  it('returns nulls for an empty run', () => {
    const r = classificationReport(new Int32Array(0), new Float64Array(0), 3);
    expect(r).toMatchObject({ n: 0, accuracy: null, macroF1: null, rocAuc: null, logLoss: null, ece: null });
    expect(r.confusion).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(r.perClass.every((c) => c.f1 === null)).toBe(true);
  });

  it('rejects bad shapes, class indexes, probabilities and options', () => {
    const t = Int32Array.from([0, 1]);
    expect(() => classificationReport(t, new Float64Array(4), 1)).toThrow(RangeError);
    expect(() => classificationReport(t, new Float64Array(4), 2.5)).toThrow(/k must be/);
    expect(() => classificationReport(t, new Float64Array(5), 2)).toThrow(/expected n × k/);
    expect(() => classificationReport(t, new Float64Array(6), 2)).toThrow(RangeError);
    expect(() => classificationReport(Int32Array.from([0, 2]), binaryRows([0.1, 0.2]), 2)).toThrow(
      /truth\[1\] = 2 is not a class index/,
    );
    expect(() => classificationReport(Int32Array.from([-1, 0]), binaryRows([0.1, 0.2]), 2)).toThrow(RangeError);
    expect(() => classificationReport(t, Float64Array.from([0.5, 0.5, NaN, 1]), 2)).toThrow(/not a probability/);
    expect(() => classificationReport(t, Float64Array.from([0.5, 0.5, 1.5, -0.5]), 2)).toThrow(RangeError);
    expect(() => classificationReport(t, binaryRows([0.1, 0.2]), 2, { bins: 0 })).toThrow(/bins/);
  });
});

/** Deterministic runs on n binary examples: the champion right on `accA` of them, the challenger on `accB`. */
function pairedRuns(n: number, accA: number, accB: number, seed: number) {
  const next = mulberry32(seed);
  const truth = new Int32Array(n);
  const a = new Float64Array(2 * n);
  const b = new Float64Array(2 * n);
  const set = (probs: Float64Array, i: number, right: boolean, conf: number) => {
    const t = truth[i]!;
    const pTrue = right ? conf : 1 - conf;
    probs[2 * i + t] = pTrue;
    probs[2 * i + 1 - t] = 1 - pTrue;
  };
  for (let i = 0; i < n; i++) {
    truth[i] = next() % 2;
    const u = next() / 2 ** 32;
    const conf = 0.55 + 0.4 * (next() / 2 ** 32);
    set(a, i, u < accA, conf);
    set(b, i, u < accB, conf);
  }
  return { truth, a, b };
}

/**
 * The bootstrap done the slow, obvious way: materialise each resample (stratified: class by class,
 * each class's members in index order) and run the full report.
 */
function naiveBootstrap(
  truth: Int32Array,
  a: Float64Array,
  b: Float64Array,
  k: number,
  metric: ComparedMetric | ((r: ClassificationReport) => number | null),
  samples: number,
  seed: number,
  stratified = false,
): { lo: number; hi: number; samples: number } {
  const n = truth.length;
  const next = mulberry32(seed); // a small non-negative seed is its own generator state
  const groups: number[][] = [];
  if (stratified) {
    for (let c = 0; c < k; c++) {
      const g = [...truth.keys()].filter((i) => truth[i] === c);
      if (g.length > 0) groups.push(g);
    }
  } else groups.push([...truth.keys()]);
  const value = typeof metric === 'function' ? metric : (r: ClassificationReport) => r[metric];
  const diffs: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t = new Int32Array(n);
    const ra = new Float64Array(n * k);
    const rb = new Float64Array(n * k);
    let j = 0;
    for (const g of groups) {
      const limit = 2 ** 32 - (2 ** 32 % g.length);
      for (let d = 0; d < g.length; d++, j++) {
        let u = next();
        while (u >= limit) u = next();
        const i = g[u % g.length]!;
        t[j] = truth[i]!;
        ra.set(a.subarray(i * k, (i + 1) * k), j * k);
        rb.set(b.subarray(i * k, (i + 1) * k), j * k);
      }
    }
    const ma = value(classificationReport(t, ra, k));
    const mb = value(classificationReport(t, rb, k));
    if (ma !== null && mb !== null) diffs.push(mb - ma);
  }
  const sorted = Float64Array.from(diffs).sort();
  return { lo: sortedQuantile(sorted, 0.025), hi: sortedQuantile(sorted, 0.975), samples: sorted.length };
}

describe('compareRuns', () => {
  it('is deterministic for a seed and changes with it', () => {
    const { truth, a, b } = pairedRuns(500, 0.8, 0.85, 3);
    for (const metric of ['accuracy', 'macroF1', 'logLoss', 'brier', 'rocAuc'] as const) {
      const one = compareRuns(truth, a, b, 2, metric, { samples: 200, seed: 42 });
      const two = compareRuns(truth, a, b, 2, metric, { samples: 200, seed: 42 });
      expect(two).toEqual(one);
      const other = compareRuns(truth, a, b, 2, metric, { samples: 200, seed: 43 });
      expect(other.diff).toBe(one.diff);
      expect(other.lo).not.toBe(one.lo);
    }
  });

  it('reports the point metrics of classificationReport and challenger − champion', () => {
    const { truth, a, b } = pairedRuns(400, 0.7, 0.9, 5);
    const ra = classificationReport(truth, a, 2);
    const rb = classificationReport(truth, b, 2);
    for (const metric of ['accuracy', 'macroF1', 'logLoss', 'brier', 'rocAuc'] as const) {
      const c = compareRuns(truth, a, b, 2, metric, { samples: 50 });
      expect(c.metric).toBe(metric);
      expect(c.champion).toBe(ra[metric]);
      expect(c.challenger).toBe(rb[metric]);
      expect(c.diff).toBe(rb[metric]! - ra[metric]!);
      expect(c.samples).toBe(50);
      expect(c.lo!).toBeLessThanOrEqual(c.hi!);
    }
  });

  it('matches a naive bootstrap that materialises every resample', () => {
    // k = 3 so that macro-F1 and one-vs-rest AUC are exercised; small n so some AUCs drop out
    const n = 40;
    const next = mulberry32(11);
    const truth = new Int32Array(n);
    const a = new Float64Array(n * 3);
    const b = new Float64Array(n * 3);
    for (let i = 0; i < n; i++) {
      truth[i] = i < 3 ? 2 : next() % 2; // class 2 is rare
      for (const probs of [a, b]) {
        const raw = [1, 2, 3].map(() => 1 + (next() % 4)); // few levels: ties
        const sum = raw[0]! + raw[1]! + raw[2]!;
        raw.forEach((v, j) => (probs[i * 3 + j] = v / sum));
      }
    }
    for (const metric of ['accuracy', 'macroF1', 'logLoss', 'brier', 'rocAuc'] as const) {
      for (const stratified of [false, true]) {
        const fast = compareRuns(truth, a, b, 3, metric, { samples: 300, seed: 9, stratified });
        const slow = naiveBootstrap(truth, a, b, 3, metric, 300, 9, stratified);
        expect(fast.samples).toBe(slow.samples);
        expect(fast.lo).toBeCloseTo(slow.lo, 12);
        expect(fast.hi).toBeCloseTo(slow.hi, 12);
      }
    }
    // the recall guard: the same resamples, the recall of one class from the full report
    for (let cls = 0; cls < 3; cls++) {
      const fast = compareRecall(truth, a, b, 3, cls, { samples: 300, seed: 9, stratified: true });
      const slow = naiveBootstrap(truth, a, b, 3, (r) => r.perClass[cls]!.recall, 300, 9, true);
      expect(fast.support).toBe(truth.filter((t) => t === cls).length);
      expect(fast.diff).toBeCloseTo(
        classificationReport(truth, b, 3).perClass[cls]!.recall! -
          classificationReport(truth, a, 3).perClass[cls]!.recall!,
        12,
      );
      expect(fast.samples).toBe(300); // stratified: the class is in every resample
      expect(fast.lo).toBeCloseTo(slow.lo, 12);
      expect(fast.hi).toBeCloseTo(slow.hi, 12);
    }
  });

  it('gives the numbers of the separate calls when the metric and every recall share one pass', () => {
    const { truth, a, b } = pairedRuns(300, 0.75, 0.8, 21);
    for (const metric of ['accuracy', 'logLoss', 'rocAuc'] as const) {
      const opts = { samples: 200, seed: 5, stratified: true };
      const both = compareWithRecalls(truth, a, b, 2, metric, opts);
      expect(both.primary).toEqual(compareRuns(truth, a, b, 2, metric, opts));
      expect(both.recalls).toEqual([0, 1].map((c) => compareRecall(truth, a, b, 2, c, opts)));
    }
  });

  it('keeps every class count in a stratified resample, so a rare class never drops out', () => {
    const truth = Int32Array.from([...Array(40).fill(0), 1, 1]);
    const rows = binaryRows([...Array(40).fill(0.2), 0.9, 0.4]);
    const other = binaryRows([...Array(40).fill(0.2), 0.4, 0.9]);
    // plain resamples often miss both positives, so the AUC is undefined on them; stratified never
    const plain = compareRuns(truth, rows, other, 2, 'rocAuc', { samples: 400, seed: 3 });
    const strat = compareRuns(truth, rows, other, 2, 'rocAuc', { samples: 400, seed: 3, stratified: true });
    expect(plain.samples).toBeLessThan(400);
    expect(strat.samples).toBe(400);
  });

  it('gives an interval that contains the true diff and excludes 0 in a clear case', () => {
    // champion right on ~70%, challenger on ~90% of 2,000 examples (the challenger is right wherever
    // the champion is): true accuracy diff ≈ 0.2, paired standard error ≈ √(0.2·0.8/2000) ≈ 0.009
    const { truth, a, b } = pairedRuns(2000, 0.7, 0.9, 8);
    const c = compareRuns(truth, a, b, 2, 'accuracy');
    expect(c.diff!).toBeGreaterThan(0.17);
    expect(c.diff!).toBeLessThan(0.23);
    expect(c.lo!).toBeLessThan(c.diff!);
    expect(c.hi!).toBeGreaterThan(c.diff!);
    expect(c.lo!).toBeGreaterThan(0.15);
    expect(c.hi!).toBeLessThan(0.25);
    expect(c.hi! - c.lo!).toBeLessThan(0.05);
    // a 50% interval is narrower than the 95% one
    const narrow = compareRuns(truth, a, b, 2, 'accuracy', { confidence: 0.5 });
    expect(narrow.hi! - narrow.lo!).toBeLessThan(c.hi! - c.lo!);
  });

  it('returns nulls without examples or without a defined AUC', () => {
    const empty = compareRuns(new Int32Array(0), new Float64Array(0), new Float64Array(0), 2, 'accuracy');
    expect(empty).toEqual({
      metric: 'accuracy',
      champion: null,
      challenger: null,
      diff: null,
      lo: null,
      hi: null,
      samples: 0,
    });
    const oneClass = compareRuns(Int32Array.from([1, 1]), binaryRows([0.6, 0.7]), binaryRows([0.8, 0.9]), 2, 'rocAuc');
    expect(oneClass).toMatchObject({ diff: null, lo: null, hi: null, samples: 0 });
  });

  it('rejects bad shapes and options', () => {
    const t = Int32Array.from([0, 1]);
    const ok = binaryRows([0.2, 0.7]);
    expect(() => compareRuns(t, ok, new Float64Array(3), 2, 'accuracy')).toThrow(/challenger holds 3 values/);
    expect(() => compareRuns(t, new Float64Array(6), ok, 2, 'accuracy')).toThrow(/champion holds 6 values/);
    expect(() => compareRuns(Int32Array.from([0, 5]), ok, ok, 2, 'accuracy')).toThrow(/truth\[1\] = 5/);
    expect(() => compareRuns(t, ok, ok, 2, 'f2' as ComparedMetric)).toThrow(/unknown metric/);
    expect(() => compareRuns(t, ok, ok, 2, 'accuracy', { samples: 0 })).toThrow(/samples/);
    expect(() => compareRuns(t, ok, ok, 2, 'accuracy', { confidence: 1 })).toThrow(/confidence/);
    expect(() => compareRuns(t, ok, ok, 2, 'accuracy', { seed: 0.5 })).toThrow(/seed/);
  });
});
