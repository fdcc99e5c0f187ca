import { findLabelIssues, outOfSampleProba as outOfSample } from './confident-learning';
import { kCenterGreedy, needsColdStart as belowPerClass } from './cold-start';
import { selectRows } from './design';
import { labelEfficiency, type EfficiencyReport, type PrequentialOutcome } from './efficiency';
import { DEFAULT_HASHING_DIM, hashTexts } from './hashing';
import { fitLogistic, outputsOf, predictProba, type LogisticModel } from './logistic';
import { cohenKappa, expectedGain, kappaAverage } from './stop-signal';

/**
 * The learner's mathematics as the loop uses it: one seam over the solver, the hashing featuriser,
 * confident learning, the stop signal and the efficiency estimate.
 */

/** Row-major rows×dim, or compressed sparse rows (the shapes of the solver's designs). */
export type Rows =
  | { kind: 'dense'; rows: number; dim: number; values: Float32Array }
  | { kind: 'sparse'; rows: number; dim: number; indptr: Int32Array; indices: Int32Array; values: Float32Array };

export type Task = 'binary' | 'multiclass' | 'multilabel';

export interface FittedModel {
  task: Task;
  classes: number;
  dim: number;
  /** Serialisable form for warm starts and export. */
  weights: Float64Array;
  stats: Record<string, unknown>;
}

/** Columns of the hashed text representation. */
export const HASH_DIM = DEFAULT_HASHING_DIM;

export function hashRows(texts: readonly string[]): Rows {
  return hashTexts(texts);
}

/** The solver's model from the stored form: weights (outputs×dim) then biases, in one array. */
function toLogistic(m: FittedModel): LogisticModel {
  const outputs = outputsOf(m.task, m.classes);
  return {
    task: m.task,
    dim: m.dim,
    classes: m.classes,
    weights: m.weights.subarray(0, outputs * m.dim),
    bias: m.weights.subarray(outputs * m.dim, outputs * m.dim + outputs),
    l2: typeof m.stats.l2 === 'number' ? m.stats.l2 : 1,
    iterations: 0,
    converged: true,
    gradientNorm: 0,
  };
}

/** Multilabel labels as bitmasks → the solver's rows×classes 0/1. */
function labelsFor(task: Task, classes: number, y: Int32Array): Int32Array | Uint8Array {
  if (task !== 'multilabel') return y;
  const out = new Uint8Array(y.length * classes);
  for (let i = 0; i < y.length; i++) for (let c = 0; c < classes; c++) out[i * classes + c] = (y[i]! >> c) & 1;
  return out;
}

export function fit(
  x: Rows,
  y: Int32Array,
  options: { task: Task; classes: number; l2: number; warmStart: FittedModel | null },
): FittedModel {
  const warm = options.warmStart && options.warmStart.dim === x.dim ? toLogistic(options.warmStart) : undefined;
  const m = fitLogistic(x, labelsFor(options.task, options.classes, y), {
    task: options.task,
    classes: options.classes,
    l2: options.l2,
    ...(warm ? { warmStart: warm } : {}),
  });
  const weights = new Float64Array(m.weights.length + m.bias.length);
  weights.set(m.weights);
  weights.set(m.bias, m.weights.length);
  return {
    task: m.task,
    classes: m.classes,
    dim: m.dim,
    weights,
    stats: {
      l2: m.l2,
      iterations: m.iterations,
      converged: m.converged,
      gradientNorm: m.gradientNorm,
      warmStarted: m.warmStarted ?? false,
    },
  };
}

/** rows×classes probabilities (binary: rows×2). */
export function predict(model: FittedModel, x: Rows): Float32Array {
  return predictProba(toLogistic(model), x);
}

/** The given rows, in order, as a new design. */
export function selectDesignRows(x: Rows, rows: Int32Array): Rows {
  return selectRows(x, rows);
}

/** Fewer than this many labels in some class: the queue picks typical, diverse items instead of uncertain ones. */
export const COLD_START_PER_CLASS = 5;

export function needsColdStart(classCounts: readonly number[]): boolean {
  return belowPerClass(classCounts, COLD_START_PER_CLASS);
}

/** k of the candidate rows by greedy k-center (the most typical first, then each the farthest from those picked), in pick order. */
export function kCenterOrder(x: Rows, k: number, candidates: Int32Array): Int32Array {
  const picked = kCenterGreedy(selectRows(x, candidates), k);
  return Int32Array.from(picked, (i) => candidates[i]!);
}

/** Cohen's kappa between two predictions of the same rows. */
export function kappa(a: Int32Array, b: Int32Array, classes: number): number | null {
  return a.length === 0 ? null : cohenKappa(a, b, classes);
}

export type { PrequentialOutcome };

export function efficiency(outcomes: readonly PrequentialOutcome[]): EfficiencyReport {
  return labelEfficiency(outcomes);
}

/** Kappa between successive learners averaged over the last three (null before three), and the gain the control curve expects from 100 more labels. */
export function stopSignal(
  kappas: readonly number[],
  curve: readonly { labels: number; accuracy: number }[],
): { kappaAverage: number | null; expectedGain: number | null } {
  return { kappaAverage: kappaAverage(kappas, 3).average, expectedGain: expectedGain(curve, 100).gain };
}

/** rows×classes probabilities of each labeled row from a learner fitted without that row's fold. */
export function outOfSampleProba(
  x: Rows,
  y: Int32Array,
  options: { task: Task; classes: number; l2: number; folds: number; seed: number },
): Float32Array {
  return outOfSample(
    x,
    labelsFor(options.task, options.classes, y),
    { task: options.task, classes: options.classes, l2: options.l2 },
    options.folds,
    options.seed,
  );
}

/** Rows whose given label is likely wrong (confident learning), most likely first; score: 1 − self-confidence. */
export function labelIssueRows(probs: Float32Array, y: Int32Array, classes: number): { row: number; score: number }[] {
  return findLabelIssues(probs, y, classes).map((i) => ({ row: i.index, score: 1 - i.selfConfidence }));
}
