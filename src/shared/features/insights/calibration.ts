/**
 * Calibration of one run against reference labels, on the probability that matters.
 *
 * The top-class confidence hides a binary model that over-predicts the positive class (a confident
 * "positive" and a confident "negative" land in the same bins), so a binary report bins P(positive)
 * against the observed positive rate. A multiclass report gives the top-label ECE and the class-wise
 * ECE: one-vs-rest per class, P(class c) against the rate of c, averaged over the classes.
 * Layout and checks as in metrics.ts.
 */
import { binOf, checkRun, DEFAULT_ECE_BINS, predictions } from './metrics';

export interface CalibrationBin {
  /** [lo, hi), the last bin closed. */
  lo: number;
  hi: number;
  count: number;
  /** Mean predicted probability of the bin's examples; null when empty. */
  predicted: number | null;
  /** Observed rate of the bin's examples (binary: positives; top-label: correct); null when empty. */
  observed: number | null;
}

export interface Calibration {
  /** What `bins` and `ece` are about: P(positive) for binary, the top-class confidence for multiclass. */
  basis: 'positive' | 'top-label';
  /** ECE of `bins`: Σ_b (count_b / n) · |observed_b − predicted_b|; null when n = 0. */
  ece: number | null;
  bins: CalibrationBin[];
  /** ECE of the top-class confidence against accuracy (what `ece` is for multiclass). */
  topLabelEce: number | null;
  /** One-vs-rest ECE of P(class c) against [truth = c], per class (binary: class 1 is `ece`). */
  perClassEce: (number | null)[];
  /** Mean of `perClassEce` over the classes; null when n = 0. */
  classwiseEce: number | null;
  /** Share of examples predicted as each class (argmax). */
  predictedRate: number[];
  /** Share of examples labeled as each class. */
  labeledRate: number[];
  /** Mean predicted probability of each class. */
  meanProbability: number[];
}

interface Binned {
  ece: number | null;
  bins: CalibrationBin[];
}

/** Bins `value(i)` over [0, 1] and compares each bin's mean value with its rate of `hit(i)`. */
function binned(n: number, bins: number, value: (i: number) => number, hit: (i: number) => boolean): Binned {
  const count = new Float64Array(bins);
  const sum = new Float64Array(bins);
  const hits = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const v = value(i);
    const b = binOf(v, bins);
    count[b]!++;
    sum[b]! += v;
    if (hit(i)) hits[b]!++;
  }
  const out: CalibrationBin[] = [];
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const c = count[b]!;
    const predicted = c > 0 ? sum[b]! / c : null;
    const observed = c > 0 ? hits[b]! / c : null;
    if (predicted !== null && observed !== null) ece += (c / n) * Math.abs(observed - predicted);
    out.push({ lo: b / bins, hi: (b + 1) / bins, count: c, predicted, observed });
  }
  return { ece: n > 0 ? ece : null, bins: out };
}

/**
 * Calibration of one run (see `Calibration`). Throws a RangeError on invalid input (see
 * `classificationReport`) or a bin count that is not a positive integer.
 */
export function calibration(
  truth: Int32Array,
  probs: ArrayLike<number>,
  k: number,
  opts?: { bins?: number },
): Calibration {
  const n = checkRun(truth, probs, k);
  const bins = opts?.bins ?? DEFAULT_ECE_BINS;
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  const pred = predictions(probs, n, k);
  const top = binned(
    n,
    bins,
    (i) => probs[i * k + pred[i]!]!,
    (i) => pred[i] === truth[i],
  );
  const perClass: Binned[] = [];
  for (let c = 0; c < k; c++) {
    perClass.push(
      binned(
        n,
        bins,
        (i) => probs[i * k + c]!,
        (i) => truth[i] === c,
      ),
    );
  }
  const predictedCount = new Float64Array(k);
  const labeledCount = new Float64Array(k);
  const probSum = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    predictedCount[pred[i]!]!++;
    labeledCount[truth[i]!]!++;
    for (let c = 0; c < k; c++) probSum[c]! += probs[i * k + c]!;
  }
  const rate = (a: Float64Array) => Array.from(a, (x) => (n > 0 ? x / n : 0));
  const perClassEce = perClass.map((p) => p.ece);
  const binary = k === 2;
  return {
    basis: binary ? 'positive' : 'top-label',
    ece: binary ? perClass[1]!.ece : top.ece,
    bins: binary ? perClass[1]!.bins : top.bins,
    topLabelEce: top.ece,
    perClassEce,
    classwiseEce: n > 0 ? perClassEce.reduce<number>((s, e) => s + e!, 0) / k : null,
    predictedRate: rate(predictedCount),
    labeledRate: rate(labeledCount),
    meanProbability: rate(probSum),
  };
}
