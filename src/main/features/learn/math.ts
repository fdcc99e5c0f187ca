import { ApiError } from '../../../shared/api/errors';

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

const notYet = () => new ApiError('unsupported', 'this build has no learner solver: the loop cannot fit a model here');

export function hashRows(_texts: readonly string[]): Rows {
  throw notYet();
}

export function fit(
  _x: Rows,
  _y: Int32Array,
  _options: { task: Task; classes: number; l2: number; warmStart: FittedModel | null },
): FittedModel {
  throw notYet();
}

/** rows×classes probabilities (binary: rows×2). */
export function predict(_model: FittedModel, _x: Rows): Float32Array {
  throw notYet();
}

/** The given rows, in order, as a new design. */
export function selectDesignRows(_x: Rows, _rows: Int32Array): Rows {
  throw notYet();
}

/** Fewer than this many labels in some class: the queue picks typical, diverse items instead of uncertain ones. */
export const COLD_START_PER_CLASS = 5;

export function needsColdStart(classCounts: readonly number[]): boolean {
  return classCounts.some((n) => n < COLD_START_PER_CLASS);
}

/** k rows chosen by greedy k-center over `candidates`, starting from the labeled rows; in pick order. */
export function kCenterOrder(_x: Rows, _k: number, _labeledRows: Int32Array, _candidates: Int32Array): Int32Array {
  throw notYet();
}

/** Cohen's kappa between two predictions of the same rows. */
export function kappa(_a: Int32Array, _b: Int32Array, _classes: number): number {
  throw notYet();
}

export interface PrequentialPoint {
  origin: 'mined' | 'control';
  correct: boolean;
  /** Labels the scoring learner had been fitted on. */
  labelsAt: number;
}

export interface EfficiencyEstimate {
  randomLabelsNeeded: { estimate: number; low: number; high: number } | null;
  verdict: 'paying-off' | 'not-paying-off' | 'too-early';
  message: string;
}

export function efficiency(_points: readonly PrequentialPoint[], _labels: number): EfficiencyEstimate {
  return {
    randomLabelsNeeded: null,
    verdict: 'too-early',
    message: 'not enough labels scored yet to compare mined and control items',
  };
}

/** Mean of the last three successive-learner kappas (null with none), and the gain the control curve expects from 100 more labels. */
export function stopSignal(
  _kappas: readonly number[],
  _curve: readonly { labels: number; accuracy: number; n: number }[],
): { kappaAverage: number | null; expectedGain: number | null } {
  return { kappaAverage: null, expectedGain: null };
}
