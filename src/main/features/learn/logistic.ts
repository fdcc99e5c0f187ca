/**
 * L2-regularised logistic regression: binary (sigmoid), multiclass (softmax) and multilabel (one
 * independent sigmoid per class), solved by L-BFGS to a gradient-norm tolerance. The objective is
 * the SUM of (sample-weighted) log losses plus l2/2·||W||² over weights only, so l2 = 1/C of
 * scikit-learn's LogisticRegression.
 */
import { assertDesign, type Design, type SparseDesign } from './design';
import { dot, minimizeLbfgs, type Objective } from './lbfgs';

export type LearnTask = 'binary' | 'multiclass' | 'multilabel';

export interface LogisticModel {
  task: LearnTask;
  dim: number;
  classes: number;
  /** outputs×dim, outputs = 1 for binary else classes. */
  weights: Float64Array;
  bias: Float64Array;
  l2: number;
  iterations: number;
  converged: boolean;
  gradientNorm: number;
  /** Whether the fit started from FitOptions.warmStart (false when its shape did not match). */
  warmStarted?: boolean;
}

export interface FitOptions {
  task: LearnTask;
  classes: number;
  /** Default 1.0. */
  l2?: number;
  warmStart?: LogisticModel;
  /** Default 1000. */
  maxIterations?: number;
  /** Gradient 2-norm at which to stop, relative to its norm at the all-zero model. Default 1e-6. */
  tolerance?: number;
  sampleWeight?: Float32Array;
}

const DEFAULT_L2 = 1;
const DEFAULT_MAX_ITERATIONS = 1000;
const DEFAULT_TOLERANCE = 1e-6;

export function outputsOf(task: LearnTask, classes: number): number {
  return task === 'binary' ? 1 : classes;
}

/**
 * Fits the model. y: for binary and multiclass an Int32Array of class indices (binary: 0/1, 1 the
 * positive class); for multilabel a Uint8Array rows×classes of 0/1.
 */
export function fitLogistic(x: Design, y: Int32Array | Uint8Array, options: FitOptions): LogisticModel {
  assertDesign(x);
  if (x.rows === 0) throw new RangeError('there are no labeled rows to learn from');
  const { task, classes } = options;
  const l2 = options.l2 ?? DEFAULT_L2;
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  if (!(l2 >= 0) || !Number.isFinite(l2)) throw new RangeError(`l2 must be a finite number ≥ 0, got ${l2}`);
  if (!(tolerance > 0)) throw new RangeError(`tolerance must be > 0, got ${tolerance}`);
  if (!Number.isInteger(maxIterations) || maxIterations < 0) throw new RangeError('maxIterations must be ≥ 0');
  checkLabels(task, classes, x.rows, y);
  const sw = options.sampleWeight;
  if (sw) {
    if (sw.length !== x.rows) throw new RangeError(`sampleWeight has ${sw.length} entries for ${x.rows} rows`);
    for (let i = 0; i < sw.length; i++) {
      if (!(sw[i]! >= 0) || !Number.isFinite(sw[i]!)) throw new RangeError(`sampleWeight[${i}] is not finite ≥ 0`);
    }
  }
  const outputs = outputsOf(task, classes);
  const warm = options.warmStart;
  const warmUsable = warm !== undefined && warm.task === task && warm.dim === x.dim && warm.classes === classes;

  // Columns no training row touches have optimum 0 (their gradient is l2·w), so fitting only the used
  // columns gives the same model with far less memory over a 2^18-wide hashed space.
  const compact = x.kind === 'sparse' ? compactColumns(x) : undefined;
  const xf = compact ? compact.design : x;
  const dim = xf.dim;
  const gather = (src: Float64Array, k: number, dst: Float64Array, offset: number) => {
    if (!compact) dst.set(src.subarray(k * x.dim, (k + 1) * x.dim), offset);
    else for (let j = 0; j < dim; j++) dst[offset + j] = src[k * x.dim + compact.columns[j]!]!;
  };

  const weights = new Float64Array(outputs * x.dim);
  const bias = new Float64Array(outputs);
  let iterations = 0;
  let converged = true;
  let gradientSquares = 0;
  const solve = (objective: Objective, k0: number, count: number) => {
    const theta = new Float64Array(count * (dim + 1));
    const grad = new Float64Array(theta.length);
    objective(theta, grad);
    const atZero = Math.sqrt(dot(grad, grad));
    if (warmUsable) {
      for (let k = 0; k < count; k++) {
        gather(warm.weights, k0 + k, theta, k * dim);
        theta[count * dim + k] = warm.bias[k0 + k]!;
      }
    }
    const result = minimizeLbfgs(objective, theta, {
      maxIterations,
      gradientTolerance: tolerance * atZero,
    });
    iterations += result.iterations;
    converged &&= result.converged;
    gradientSquares += result.gradientNorm * result.gradientNorm;
    for (let k = 0; k < count; k++) {
      const w = theta.subarray(k * dim, (k + 1) * dim);
      if (!compact) weights.set(w, (k0 + k) * x.dim);
      else for (let j = 0; j < dim; j++) weights[(k0 + k) * x.dim + compact.columns[j]!] = w[j]!;
      bias[k0 + k] = theta[count * dim + k]!;
    }
  };

  if (task === 'binary') {
    solve(sigmoidObjective(xf, Uint8Array.from(y), sw, l2), 0, 1);
  } else if (task === 'multilabel') {
    // One-vs-rest: the loss separates by class, so each class is its own binary fit.
    const column = new Uint8Array(x.rows);
    for (let k = 0; k < classes; k++) {
      for (let r = 0; r < x.rows; r++) column[r] = y[r * classes + k]!;
      solve(sigmoidObjective(xf, column, sw, l2), k, 1);
    }
  } else {
    solve(softmaxObjective(xf, y as Int32Array, classes, sw, l2), 0, classes);
    // Softmax is unchanged by adding one constant to every bias; report the zero-mean one.
    let mean = 0;
    for (let k = 0; k < classes; k++) mean += bias[k]!;
    mean /= classes;
    for (let k = 0; k < classes; k++) bias[k]! -= mean;
  }
  return {
    task,
    dim: x.dim,
    classes,
    weights,
    bias,
    l2,
    iterations,
    converged,
    gradientNorm: Math.sqrt(gradientSquares),
    warmStarted: warmUsable,
  };
}

function checkLabels(task: LearnTask, classes: number, rows: number, y: Int32Array | Uint8Array): void {
  if (!Number.isInteger(classes) || classes < 2) throw new RangeError(`classes must be a whole number ≥ 2`);
  if (task === 'binary' && classes !== 2) throw new RangeError(`a binary task has 2 classes, got ${classes}`);
  if (task === 'multilabel') {
    if (!(y instanceof Uint8Array)) throw new RangeError('multilabel labels are a Uint8Array rows×classes');
    if (y.length !== rows * classes) throw new RangeError(`multilabel labels need rows×classes = ${rows * classes}`);
    for (let i = 0; i < y.length; i++) if (y[i]! > 1) throw new RangeError(`multilabel label ${i} is not 0 or 1`);
    return;
  }
  if (y.length !== rows) throw new RangeError(`${y.length} labels for ${rows} rows`);
  for (let i = 0; i < rows; i++) {
    const c = y[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= classes) throw new RangeError(`label ${c} of row ${i} is not a class`);
  }
}

/** The sparse design restricted to the columns it uses, renumbered 0..used-1 in increasing order. */
function compactColumns(x: SparseDesign): { design: SparseDesign; columns: Int32Array } {
  const nnz = x.indptr[x.rows]!;
  const seen = new Uint8Array(x.dim);
  for (let e = 0; e < nnz; e++) seen[x.indices[e]!] = 1;
  const map = new Int32Array(x.dim);
  let used = 0;
  for (let j = 0; j < x.dim; j++) if (seen[j]) map[j] = used++;
  const columns = new Int32Array(Math.max(used, 1));
  for (let j = 0; j < x.dim; j++) if (seen[j]) columns[map[j]!] = j;
  const indices = new Int32Array(nnz);
  for (let e = 0; e < nnz; e++) indices[e] = map[x.indices[e]!]!;
  const design: SparseDesign = {
    kind: 'sparse',
    rows: x.rows,
    dim: Math.max(used, 1),
    indptr: x.indptr,
    indices,
    values: x.values,
  };
  return { design, columns };
}

/** scores[r·K+k] = Σ_j x[r,j]·theta[k·dim+j] (no bias). */
function linearScores(x: Design, theta: Float64Array, outputs: number, scores: Float64Array): void {
  const dim = x.dim;
  if (x.kind === 'dense') {
    const v = x.values;
    for (let r = 0; r < x.rows; r++) {
      const base = r * dim;
      for (let k = 0; k < outputs; k++) {
        const wb = k * dim;
        let s = 0;
        for (let j = 0; j < dim; j++) s += v[base + j]! * theta[wb + j]!;
        scores[r * outputs + k] = s;
      }
    }
    return;
  }
  const { indptr, indices, values } = x;
  for (let r = 0; r < x.rows; r++) {
    const from = indptr[r]!;
    const to = indptr[r + 1]!;
    for (let k = 0; k < outputs; k++) {
      const wb = k * dim;
      let s = 0;
      for (let e = from; e < to; e++) s += values[e]! * theta[wb + indices[e]!]!;
      scores[r * outputs + k] = s;
    }
  }
}

/** grad[k·dim+j] += Σ_r residual[r·K+k]·x[r,j]. */
function addTransposed(x: Design, residual: Float64Array, outputs: number, grad: Float64Array): void {
  const dim = x.dim;
  if (x.kind === 'dense') {
    const v = x.values;
    for (let r = 0; r < x.rows; r++) {
      const base = r * dim;
      for (let k = 0; k < outputs; k++) {
        const rk = residual[r * outputs + k]!;
        if (rk === 0) continue;
        const wb = k * dim;
        for (let j = 0; j < dim; j++) grad[wb + j]! += rk * v[base + j]!;
      }
    }
    return;
  }
  const { indptr, indices, values } = x;
  for (let r = 0; r < x.rows; r++) {
    const from = indptr[r]!;
    const to = indptr[r + 1]!;
    for (let k = 0; k < outputs; k++) {
      const rk = residual[r * outputs + k]!;
      if (rk === 0) continue;
      const wb = k * dim;
      for (let e = from; e < to; e++) grad[wb + indices[e]!]! += rk * values[e]!;
    }
  }
}

function addPenalty(theta: Float64Array, grad: Float64Array, weightCount: number, l2: number): number {
  if (l2 === 0) return 0;
  let sq = 0;
  for (let i = 0; i < weightCount; i++) {
    const w = theta[i]!;
    sq += w * w;
    grad[i]! += l2 * w;
  }
  return 0.5 * l2 * sq;
}

/** log(1 + e^z) without overflow. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** theta = [w (dim), b]; t[r] ∈ {0,1}. */
function sigmoidObjective(x: Design, t: Uint8Array, sw: Float32Array | undefined, l2: number): Objective {
  const dim = x.dim;
  const z = new Float64Array(x.rows);
  return (theta, grad) => {
    const b = theta[dim]!;
    linearScores(x, theta, 1, z);
    let loss = 0;
    let gb = 0;
    for (let r = 0; r < x.rows; r++) {
      const zr = z[r]! + b;
      const w = sw ? sw[r]! : 1;
      const yr = t[r]!;
      loss += w * (softplus(zr) - yr * zr);
      const res = w * (sigmoid(zr) - yr);
      z[r] = res;
      gb += res;
    }
    grad.fill(0);
    addTransposed(x, z, 1, grad);
    grad[dim] = gb;
    return loss + addPenalty(theta, grad, dim, l2);
  };
}

/** theta = [W (K×dim), b (K)]; y[r] a class index. */
function softmaxObjective(
  x: Design,
  y: Int32Array,
  classes: number,
  sw: Float32Array | undefined,
  l2: number,
): Objective {
  const dim = x.dim;
  const K = classes;
  const z = new Float64Array(x.rows * K);
  const gbias = new Float64Array(K);
  return (theta, grad) => {
    const bOff = K * dim;
    linearScores(x, theta, K, z);
    let loss = 0;
    gbias.fill(0);
    for (let r = 0; r < x.rows; r++) {
      const o = r * K;
      let max = -Infinity;
      for (let k = 0; k < K; k++) {
        const v = z[o + k]! + theta[bOff + k]!;
        z[o + k] = v;
        if (v > max) max = v;
      }
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(z[o + k]! - max);
      const lse = max + Math.log(sum);
      const w = sw ? sw[r]! : 1;
      const yr = y[r]!;
      loss += w * (lse - z[o + yr]!);
      for (let k = 0; k < K; k++) {
        const res = w * (Math.exp(z[o + k]! - lse) - (k === yr ? 1 : 0));
        z[o + k] = res;
        gbias[k]! += res;
      }
    }
    grad.fill(0);
    addTransposed(x, z, K, grad);
    grad.set(gbias, bOff);
    return loss + addPenalty(theta, grad, bOff, l2);
  };
}

/**
 * Class probabilities, rows×classes. Binary gives [1−p, p] per row; multilabel gives each class's
 * own sigmoid (rows need not sum to 1).
 */
export function predictProba(model: LogisticModel, x: Design): Float32Array {
  if (x.dim !== model.dim) {
    throw new RangeError(`the model takes ${model.dim} features, the design has ${x.dim}`);
  }
  const outputs = outputsOf(model.task, model.classes);
  const K = model.classes;
  const out = new Float32Array(x.rows * K);
  const z = new Float64Array(outputs);
  const w = model.weights;
  const dim = x.dim;
  for (let r = 0; r < x.rows; r++) {
    if (x.kind === 'dense') {
      const base = r * dim;
      const v = x.values;
      for (let k = 0; k < outputs; k++) {
        const wb = k * dim;
        let s = model.bias[k]!;
        for (let j = 0; j < dim; j++) s += v[base + j]! * w[wb + j]!;
        z[k] = s;
      }
    } else {
      const from = x.indptr[r]!;
      const to = x.indptr[r + 1]!;
      for (let k = 0; k < outputs; k++) {
        const wb = k * dim;
        let s = model.bias[k]!;
        for (let e = from; e < to; e++) s += x.values[e]! * w[wb + x.indices[e]!]!;
        z[k] = s;
      }
    }
    const o = r * K;
    if (model.task === 'binary') {
      const p = sigmoid(z[0]!);
      out[o] = 1 - p;
      out[o + 1] = p;
    } else if (model.task === 'multilabel') {
      for (let k = 0; k < K; k++) out[o + k] = sigmoid(z[k]!);
    } else {
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (z[k]! > max) max = z[k]!;
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(z[k]! - max);
      for (let k = 0; k < K; k++) out[o + k] = Math.exp(z[k]! - max) / sum;
    }
  }
  return out;
}
