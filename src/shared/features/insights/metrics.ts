/**
 * Classification metrics of one model run against curated labels.
 *
 * Layout: `probs` holds n examples × k class probabilities, example i at `probs[i * k .. i * k + k)`,
 * k ≥ 2 (a binary model is k = 2 with [1 − p, p]); `truth[i]` is the class index 0..k − 1.
 *
 * Conventions:
 * - predicted class = argmax of the row, ties to the lower index (as numpy and mining/uncertainty).
 * - per-class F1 = 2·TP / (support + predicted), which equals 2PR / (P + R) and is 0 when TP = 0;
 *   precision is null for a class never predicted, recall null for a class absent from the truth,
 *   F1 null when both are.
 * - macro-F1 = mean F1 over the classes that occur in the truth OR in the predictions (scikit-learn's
 *   `average='macro'` with its default labels and zero_division = 0): a class the model invents
 *   counts as F1 0, a class nobody mentions does not dilute the mean.
 * - probabilities are used as stored (no renormalisation of float32 rows); values must lie in [0, 1].
 */

import { aucOneVsRest, averagePrecision } from './auc';

export interface ClassMetrics {
  cls: number;
  /** TP / predicted; null when the class is never predicted. */
  precision: number | null;
  /** TP / support; null when the class never occurs in the truth. */
  recall: number | null;
  /** 2·TP / (support + predicted); null when both are 0. */
  f1: number | null;
  /** Examples whose true class is `cls`. */
  support: number;
  /** Examples predicted as `cls`. */
  predicted: number;
}

export interface ReliabilityBin {
  /** Bin bounds: [lo, hi), the last bin closed: [lo, 1]. */
  lo: number;
  hi: number;
  count: number;
  /** Mean top-class confidence of the bin's examples; null when empty. */
  confidence: number | null;
  /** Share of the bin's examples predicted correctly; null when empty. */
  accuracy: number | null;
}

export interface ClassificationReport {
  n: number;
  k: number;
  /** Share of correct predictions; null when n = 0. */
  accuracy: number | null;
  /** Mean per-class F1 over the classes in the truth or the predictions; null when n = 0. */
  macroF1: number | null;
  perClass: ClassMetrics[];
  /**
   * k = 2: AUC of P(class 1) for truth === 1; k > 2: mean one-vs-rest AUC over the classes that have
   * both positives and negatives. Rank-based (Mann–Whitney), ties count 1/2; null when undefined.
   */
  rocAuc: number | null;
  /**
   * Area under the precision–recall curve (average precision): k = 2 of P(class 1) for truth === 1;
   * k > 2 the mean one-vs-rest value over the classes with positives; null when undefined.
   */
  prAuc: number | null;
  /** Mean −ln p(true class), p clipped to [LOG_LOSS_CLIP, 1]; null when n = 0. */
  logLoss: number | null;
  /** Mean Brier score (see `exampleBrier`); null when n = 0. */
  brier: number | null;
  /**
   * Expected calibration error of the top-class confidence: Σ_b (count_b / n) · |accuracy_b −
   * confidence_b| over equal-width bins of [0, 1]; null when n = 0.
   */
  ece: number | null;
  /** The ECE bins (all of them, empty ones included). */
  reliability: ReliabilityBin[];
  /** confusion[t][p]: examples of true class t predicted as p. */
  confusion: number[][];
}

/** Probabilities are clipped to [LOG_LOSS_CLIP, 1] before the logarithm (scikit-learn's old eps). */
export const LOG_LOSS_CLIP = 1e-15;

/** Default number of equal-width calibration bins. */
export const DEFAULT_ECE_BINS = 10;

/**
 * Checks k, the matrix shape, the class indexes and that every probability is a number in [0, 1];
 * returns n. `name` labels the matrix in messages (two runs are checked in a comparison).
 */
export function checkRun(truth: Int32Array, probs: ArrayLike<number>, k: number, name = 'probs'): number {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`k must be an integer ≥ 2, got ${k}`);
  const n = truth.length;
  if (probs.length !== n * k) {
    throw new RangeError(`${name} holds ${probs.length} values, expected n × k = ${n} × ${k} = ${n * k}`);
  }
  for (let i = 0; i < n; i++) {
    const t = truth[i]!;
    if (t < 0 || t >= k) throw new RangeError(`truth[${i}] = ${t} is not a class index in 0..${k - 1}`);
  }
  const len = n * k;
  for (let j = 0; j < len; j++) {
    const p = probs[j]!;
    if (!(p >= 0 && p <= 1)) {
      throw new RangeError(`${name}[${j}] = ${p} (example ${Math.floor(j / k)}) is not a probability in [0, 1]`);
    }
  }
  return n;
}

/** Predicted class of every example: argmax of its row, ties to the lower index. */
export function predictions(probs: ArrayLike<number>, n: number, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0, base = 0; i < n; i++, base += k) {
    let best = 0;
    let bestP = probs[base]!;
    for (let j = 1; j < k; j++) {
      const p = probs[base + j]!;
      if (p > bestP) {
        bestP = p;
        best = j;
      }
    }
    out[i] = best;
  }
  return out;
}

/**
 * Macro-F1 from a flat k × k confusion count matrix (row = truth, column = prediction): the mean of
 * 2·TP / (support + predicted) over the classes with support + predicted > 0; null when none.
 * Shared by the report and the bootstrap, so both follow one rule.
 */
export function macroF1FromConfusion(confusion: ArrayLike<number>, k: number): number | null {
  let sum = 0;
  let classes = 0;
  for (let c = 0; c < k; c++) {
    let support = 0;
    let predicted = 0;
    for (let j = 0; j < k; j++) {
      support += confusion[c * k + j]!;
      predicted += confusion[j * k + c]!;
    }
    if (support + predicted === 0) continue;
    sum += (2 * confusion[c * k + c]!) / (support + predicted);
    classes++;
  }
  return classes > 0 ? sum / classes : null;
}

/**
 * ROC AUC of one run (see `ClassificationReport.rocAuc`): k = 2 scores with P(class 1); k > 2 is
 * the unweighted mean of the defined one-vs-rest AUCs. Assumes validated input.
 */
export function rocAucOf(truth: Int32Array, probs: ArrayLike<number>, k: number): number | null {
  if (k === 2) return aucOneVsRest(truth, probs, 2, 1, 1);
  let sum = 0;
  let defined = 0;
  for (let c = 0; c < k; c++) {
    const auc = aucOneVsRest(truth, probs, k, c, c);
    if (auc === null) continue;
    sum += auc;
    defined++;
  }
  return defined > 0 ? sum / defined : null;
}

/** Average precision of one run (see `ClassificationReport.prAuc`). Assumes validated input. */
export function prAucOf(truth: Int32Array, probs: ArrayLike<number>, k: number): number | null {
  if (k === 2) return averagePrecision(truth, probs, 2, 1, 1);
  let sum = 0;
  let defined = 0;
  for (let c = 0; c < k; c++) {
    const ap = averagePrecision(truth, probs, k, c, c);
    if (ap === null) continue;
    sum += ap;
    defined++;
  }
  return defined > 0 ? sum / defined : null;
}

/** −ln p(true class) of example i, clipped. */
export function exampleLogLoss(truth: Int32Array, probs: ArrayLike<number>, k: number, i: number): number {
  return -Math.log(Math.max(probs[i * k + truth[i]!]!, LOG_LOSS_CLIP));
}

/**
 * Brier score of example i: binary (k = 2) the usual (P(class 1) − [truth = 1])²; k > 2 the
 * multiclass form Σ_c (p_c − [truth = c])². Lower is better.
 */
export function exampleBrier(truth: Int32Array, probs: ArrayLike<number>, k: number, i: number): number {
  const t = truth[i]!;
  if (k === 2) {
    const d = probs[i * 2 + 1]! - (t === 1 ? 1 : 0);
    return d * d;
  }
  let sum = 0;
  for (let c = 0; c < k; c++) {
    const d = probs[i * k + c]! - (c === t ? 1 : 0);
    sum += d * d;
  }
  return sum;
}

/**
 * Calibration bin of a confidence: floor(c · bins), so bins are [b/bins, (b+1)/bins) and 1 falls in
 * the last. A float32 confidence is binned by its float32 value: 0.7f = 0.69999999 lands in [0.6, 0.7).
 */
export function binOf(confidence: number, bins: number): number {
  const b = Math.floor(confidence * bins);
  return b >= bins ? bins - 1 : b;
}

/**
 * Full report of one run on curated labels. O(n·k) plus O(n log n) per AUC column (native sorts).
 * Throws a RangeError for k < 2, a matrix that is not n × k, a class index outside 0..k − 1, a
 * probability outside [0, 1] (NaN included) or a bin count that is not a positive integer.
 */
export function classificationReport(
  truth: Int32Array,
  probs: ArrayLike<number>,
  k: number,
  opts?: { bins?: number },
): ClassificationReport {
  const n = checkRun(truth, probs, k);
  const bins = opts?.bins ?? DEFAULT_ECE_BINS;
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);

  const pred = predictions(probs, n, k);
  const confusion = new Float64Array(k * k);
  const binCount = new Float64Array(bins);
  const binConfidence = new Float64Array(bins);
  const binCorrect = new Float64Array(bins);
  let correct = 0;
  let lossSum = 0;
  let brierSum = 0;
  for (let i = 0; i < n; i++) {
    brierSum += exampleBrier(truth, probs, k, i);
    const t = truth[i]!;
    const p = pred[i]!;
    confusion[t * k + p]!++;
    const ok = t === p ? 1 : 0;
    correct += ok;
    lossSum += exampleLogLoss(truth, probs, k, i);
    const c = probs[i * k + p]!;
    const b = binOf(c, bins);
    binCount[b]!++;
    binConfidence[b]! += c;
    binCorrect[b]! += ok;
  }

  const perClass = perClassFromConfusion(confusion, k);

  const reliability: ReliabilityBin[] = [];
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const count = binCount[b]!;
    const confidence = count > 0 ? binConfidence[b]! / count : null;
    const accuracy = count > 0 ? binCorrect[b]! / count : null;
    if (confidence !== null && accuracy !== null) ece += (count / n) * Math.abs(accuracy - confidence);
    reliability.push({ lo: b / bins, hi: (b + 1) / bins, count, confidence, accuracy });
  }

  const rows: number[][] = [];
  for (let t = 0; t < k; t++) rows.push(Array.from(confusion.subarray(t * k, (t + 1) * k)));

  return {
    n,
    k,
    accuracy: n > 0 ? correct / n : null,
    macroF1: n > 0 ? macroF1FromConfusion(confusion, k) : null,
    perClass,
    rocAuc: rocAucOf(truth, probs, k),
    prAuc: prAucOf(truth, probs, k),
    logLoss: n > 0 ? lossSum / n : null,
    brier: n > 0 ? brierSum / n : null,
    ece: n > 0 ? ece : null,
    reliability,
    confusion: rows,
  };
}

/** Precision, recall, F1, support and predicted count of each class, from a k×k confusion matrix (rows: truth). */
export function perClassFromConfusion(confusion: ArrayLike<number>, k: number): ClassMetrics[] {
  const perClass: ClassMetrics[] = [];
  for (let c = 0; c < k; c++) {
    let support = 0;
    let predicted = 0;
    for (let j = 0; j < k; j++) {
      support += confusion[c * k + j]!;
      predicted += confusion[j * k + c]!;
    }
    const tp = confusion[c * k + c]!;
    perClass.push({
      cls: c,
      precision: predicted > 0 ? tp / predicted : null,
      recall: support > 0 ? tp / support : null,
      f1: support + predicted > 0 ? (2 * tp) / (support + predicted) : null,
      support,
      predicted,
    });
  }
  return perClass;
}
