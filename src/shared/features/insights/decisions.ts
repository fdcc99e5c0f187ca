/**
 * Metrics of a run's own decisions rather than its argmax: a binary model that flags positive from
 * P(positive) ≥ 0.3, or the predicted labels a production log recorded. Accuracy, macro-F1 and the
 * per-class counts follow the conventions of `classificationReport` (metrics.ts), only the predicted
 * class of each example is given instead of taken from the probabilities.
 */

import { macroF1FromConfusion, perClassFromConfusion, type ClassMetrics } from './metrics';

export interface DecisionReport {
  n: number;
  accuracy: number | null;
  macroF1: number | null;
  perClass: ClassMetrics[];
  /** confusion[t][p]: examples of true class t decided as p. */
  confusion: number[][];
}

/** Binary decisions of P(positive) (column 1 of an n × 2 matrix) at `threshold`: positive when p ≥ threshold. */
export function thresholdDecisions(probs: ArrayLike<number>, n: number, threshold: number): Int32Array {
  if (!(threshold > 0 && threshold < 1)) throw new RangeError(`threshold must be in (0, 1), got ${threshold}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = probs[i * 2 + 1]! >= threshold ? 1 : 0;
  return out;
}

/** Accuracy, macro-F1, per-class precision / recall / F1 and the confusion matrix of given decisions. */
export function decisionReport(truth: Int32Array, decided: Int32Array, k: number): DecisionReport {
  const n = truth.length;
  if (decided.length !== n) throw new RangeError(`${decided.length} decisions for ${n} examples`);
  const confusion = new Float64Array(k * k);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const t = truth[i]!;
    const p = decided[i]!;
    if (!(p >= 0 && p < k)) throw new RangeError(`decision ${p} of example ${i} is not a class index in 0..${k - 1}`);
    confusion[t * k + p]!++;
    if (t === p) correct++;
  }
  const perClass = perClassFromConfusion(confusion, k);
  const rows: number[][] = [];
  for (let t = 0; t < k; t++) rows.push(Array.from(confusion.subarray(t * k, (t + 1) * k)));
  return {
    n,
    accuracy: n > 0 ? correct / n : null,
    macroF1: n > 0 ? macroF1FromConfusion(confusion, k) : null,
    perClass,
    confusion: rows,
  };
}

/**
 * Which thresholds on P(positive) reproduce binary decisions: every t with `above` < t ≤ `atMost`
 * (the largest P of an example decided negative, the smallest of one decided positive). `consistent`
 * is false when no single threshold does (some example decided negative scores at least as high as
 * one decided positive); `above` is null without negatives, `atMost` null without positives.
 */
export function impliedThreshold(
  probs: ArrayLike<number>,
  decided: Int32Array,
): { above: number | null; atMost: number | null; consistent: boolean } {
  let maxNegative = -Infinity;
  let minPositive = Infinity;
  for (let i = 0; i < decided.length; i++) {
    const p = probs[i * 2 + 1]!;
    if (decided[i] === 1) minPositive = Math.min(minPositive, p);
    else maxNegative = Math.max(maxNegative, p);
  }
  return {
    above: maxNegative === -Infinity ? null : maxNegative,
    atMost: minPositive === Infinity ? null : minPositive,
    consistent: maxNegative < minPositive,
  };
}
