/**
 * Label issues by confident learning (Northcutt, Jiang & Chuang, JAIR 2021): out-of-sample class
 * probabilities from stratified k-fold fits of the same learner, per-class thresholds, and the
 * off-diagonal of the confident joint, ranked by self-confidence.
 */
import { mulberry32 } from '../../../shared/features/mining/top-k';
import { selectRows, type Design } from './design';
import { fitLogistic, predictProba, type FitOptions } from './logistic';

/**
 * Fold of each row (0..folds−1): within each stratum (the class; for multilabel the first positive
 * class, or none) rows are shuffled by the seed and dealt round-robin, the dealing continuing across
 * strata so folds differ in size by at most one.
 */
export function stratifiedFolds(strata: Int32Array, folds: number, seed = 0): Int32Array {
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError(`folds must be a whole number ≥ 2, got ${folds}`);
  const order = Array.from(strata.keys());
  const next = mulberry32(seed);
  const key = Float64Array.from(order, () => next());
  // Stable: stratum first, then the seeded key, then the row, so equal keys cannot reorder by engine.
  order.sort((a, b) => strata[a]! - strata[b]! || key[a]! - key[b]! || a - b);
  const fold = new Int32Array(strata.length);
  order.forEach((row, i) => (fold[row] = i % folds));
  return fold;
}

function strataOf(y: Int32Array | Uint8Array, rows: number, options: FitOptions): Int32Array {
  if (options.task !== 'multilabel') return Int32Array.from(y);
  const k = options.classes;
  return Int32Array.from({ length: rows }, (_, r) => {
    for (let c = 0; c < k; c++) if (y[r * k + c]) return c;
    return k;
  });
}

/**
 * rows×classes probabilities where each row's come from a model fitted without that row (k-fold,
 * stratified, deterministic for a seed). options.warmStart, if given, seeds every fold's fit.
 */
export function outOfSampleProba(
  x: Design,
  y: Int32Array | Uint8Array,
  options: FitOptions,
  folds = 5,
  seed = 0,
): Float32Array {
  if (x.rows < 2) throw new RangeError('out-of-sample probabilities need at least 2 labeled rows');
  const k = Math.min(folds, x.rows);
  const fold = stratifiedFolds(strataOf(y, x.rows, options), k, seed);
  const classes = options.classes;
  const labelWidth = options.task === 'multilabel' ? classes : 1;
  const out = new Float32Array(x.rows * classes);
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let r = 0; r < x.rows; r++) (fold[r] === f ? test : train).push(r);
    const trainRows = Int32Array.from(train);
    const yTrain =
      options.task === 'multilabel' ? new Uint8Array(train.length * classes) : new Int32Array(train.length);
    train.forEach((r, i) => yTrain.set(y.subarray(r * labelWidth, (r + 1) * labelWidth), i * labelWidth));
    const sampleWeight = options.sampleWeight ? Float32Array.from(train, (r) => options.sampleWeight![r]!) : undefined;
    const model = fitLogistic(selectRows(x, trainRows), yTrain, { ...options, sampleWeight });
    const proba = predictProba(model, selectRows(x, Int32Array.from(test)));
    test.forEach((r, i) => out.set(proba.subarray(i * classes, (i + 1) * classes), r * classes));
  }
  return out;
}

export interface LabelIssue {
  /** Row in the proba/labels given. */
  index: number;
  givenLabel: number;
  suggestedLabel: number;
  /** Out-of-sample probability of the given label. */
  selfConfidence: number;
  /** Out-of-sample probability of the suggested label. */
  suggestedConfidence: number;
}

/**
 * Per-class thresholds t_j: the mean probability of class j over the rows labelled j (NaN for a class
 * no row carries, which then takes part in no confident count).
 */
export function classThresholds(proba: Float32Array, y: Int32Array, classes: number): Float64Array {
  const sum = new Float64Array(classes);
  const count = new Float64Array(classes);
  for (let r = 0; r < y.length; r++) {
    const c = y[r]!;
    sum[c]! += proba[r * classes + c]!;
    count[c]!++;
  }
  return sum.map((s, c) => (count[c]! > 0 ? s / count[c]! : Number.NaN));
}

/**
 * Rows whose given label is likely wrong: its probability is under its class's threshold while some
 * other class reaches its own (an off-diagonal entry of the confident joint); the suggestion is the
 * most probable such class. Ranked by self-confidence ascending, ties by row. Single-label tasks.
 */
export function findLabelIssues(proba: Float32Array, y: Int32Array, classes: number): LabelIssue[] {
  if (proba.length !== y.length * classes) {
    throw new RangeError(`proba holds ${proba.length} values for ${y.length} rows × ${classes} classes`);
  }
  for (let r = 0; r < y.length; r++) {
    if (!(y[r]! >= 0 && y[r]! < classes)) throw new RangeError(`label ${y[r]} of row ${r} is not a class`);
  }
  const t = classThresholds(proba, y, classes);
  const issues: LabelIssue[] = [];
  for (let r = 0; r < y.length; r++) {
    const given = y[r]!;
    const self = proba[r * classes + given]!;
    if (self >= t[given]!) continue;
    let best = -1;
    let bestP = -Infinity;
    for (let c = 0; c < classes; c++) {
      const p = proba[r * classes + c]!;
      if (c !== given && p >= t[c]! && p > bestP) {
        best = c;
        bestP = p;
      }
    }
    if (best >= 0) {
      issues.push({
        index: r,
        givenLabel: given,
        suggestedLabel: best,
        selfConfidence: self,
        suggestedConfidence: bestP,
      });
    }
  }
  return issues.sort((a, b) => a.selfConfidence - b.selfConfidence || a.index - b.index);
}
