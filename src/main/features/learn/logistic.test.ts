import { describe, expect, it } from 'vitest';
import type { DenseDesign, Design, SparseDesign } from './design';
import { selectRows } from './design';
import { hashTexts } from './hashing';
import { fitLogistic, predictProba, sigmoid, softplus } from './logistic';

function dense(rows: number[][]): DenseDesign {
  const dim = rows[0]!.length;
  return { kind: 'dense', rows: rows.length, dim, values: Float32Array.from(rows.flat()) };
}

function toSparse(x: DenseDesign): SparseDesign {
  const indptr = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (let r = 0; r < x.rows; r++) {
    for (let j = 0; j < x.dim; j++) {
      const v = x.values[r * x.dim + j]!;
      if (v !== 0) {
        indices.push(j);
        values.push(v);
      }
    }
    indptr.push(indices.length);
  }
  return {
    kind: 'sparse',
    rows: x.rows,
    dim: x.dim,
    indptr: Int32Array.from(indptr),
    indices: Int32Array.from(indices),
    values: Float32Array.from(values),
  };
}

/** A fixed pseudo-random stream (LCG), so every test sees the same data. */
function stream(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** rows×dim Gaussian-ish features and labels from a noisy linear rule over `classes` classes. */
function synthetic(rows: number, dim: number, classes: number, seed: number): { x: DenseDesign; y: Int32Array } {
  const next = stream(seed);
  const values = new Float32Array(rows * dim);
  for (let i = 0; i < values.length; i++) values[i] = next() + next() + next() - 1.5;
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let k = 0; k < classes; k++) {
      const score = values[r * dim + (k % dim)]! * 2 + next();
      if (score > bestScore) {
        bestScore = score;
        best = k;
      }
    }
    y[r] = best;
  }
  return { x: { kind: 'dense', rows, dim, values }, y };
}

/** Newton's method on the binary objective with an explicit Hessian: slow, exact reference. */
function newtonBinary(x: DenseDesign, y: Int32Array, l2: number, sw?: Float32Array): number[] {
  const n = x.dim + 1;
  const theta = new Array<number>(n).fill(0);
  const row = (r: number) => [...Array.from(x.values.subarray(r * x.dim, (r + 1) * x.dim)), 1];
  for (let it = 0; it < 50; it++) {
    const g = new Array<number>(n).fill(0);
    const h = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (let r = 0; r < x.rows; r++) {
      const xr = row(r);
      const w = sw ? sw[r]! : 1;
      const p = sigmoid(xr.reduce((s, v, j) => s + v * theta[j]!, 0));
      for (let i = 0; i < n; i++) {
        g[i]! += w * (p - y[r]!) * xr[i]!;
        for (let j = 0; j < n; j++) h[i]![j]! += w * p * (1 - p) * xr[i]! * xr[j]!;
      }
    }
    for (let i = 0; i < x.dim; i++) {
      g[i]! += l2 * theta[i]!;
      h[i]![i]! += l2;
    }
    const step = solve(h, g);
    for (let i = 0; i < n; i++) theta[i]! -= step[i]!;
  }
  return theta;
}

/** Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const out = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * out[k]!;
    out[r] = s / m[r]![r]!;
  }
  return out;
}

/** The softmax objective's gradient, written out plainly (weights then biases). */
function softmaxGradient(x: DenseDesign, y: Int32Array, K: number, W: Float64Array, b: Float64Array, l2: number) {
  const g = new Array<number>(K * x.dim + K).fill(0);
  for (let r = 0; r < x.rows; r++) {
    const z = Array.from({ length: K }, (_, k) => {
      let s = b[k]!;
      for (let j = 0; j < x.dim; j++) s += W[k * x.dim + j]! * x.values[r * x.dim + j]!;
      return s;
    });
    const max = Math.max(...z);
    const e = z.map((v) => Math.exp(v - max));
    const sum = e.reduce((s, v) => s + v, 0);
    for (let k = 0; k < K; k++) {
      const res = e[k]! / sum - (y[r] === k ? 1 : 0);
      for (let j = 0; j < x.dim; j++) g[k * x.dim + j]! += res * x.values[r * x.dim + j]!;
      g[K * x.dim + k]! += res;
    }
  }
  for (let i = 0; i < K * x.dim; i++) g[i]! += l2 * W[i]!;
  return g;
}

const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

describe('fitLogistic, binary', () => {
  it('two points at ±1: the optimum solves w = 2σ(−w), b = 0', () => {
    // Loss softplus(−w+b) + softplus(w+b) − (w+b) + w²/2. By symmetry b = 0; ∂/∂w = −σ(−w) + σ(w) − 1 + w
    // = w − 2σ(−w) = 0, whose root (by bisection below) is w ≈ 0.67483.
    const model = fitLogistic(dense([[-1], [1]]), Int32Array.from([0, 1]), { task: 'binary', classes: 2 });
    let lo = 0;
    let hi = 2;
    for (let i = 0; i < 100; i++) {
      const mid = (lo + hi) / 2;
      if (mid - 2 * sigmoid(-mid) < 0) lo = mid;
      else hi = mid;
    }
    expect(model.converged).toBe(true);
    expect(model.weights[0]).toBeCloseTo(lo, 6);
    expect(model.weights[0]).toBeCloseTo(0.67483, 5);
    expect(model.bias[0]).toBeCloseTo(0, 6);
    const w = model.weights[0]!;
    const b = model.bias[0]!;
    const gw = -sigmoid(-w + b) + sigmoid(w + b) - 1 + w;
    const gb = sigmoid(-w + b) + sigmoid(w + b) - 1;
    expect(Math.abs(gw)).toBeLessThan(1e-6);
    expect(Math.abs(gb)).toBeLessThan(1e-6);
  });

  it('two points at 0 and 2 (unpenalised bias): gradient 0 and the Newton reference agree', () => {
    const x = dense([[0], [2]]);
    const y = Int32Array.from([0, 1]);
    const model = fitLogistic(x, y, { task: 'binary', classes: 2, l2: 0.5 });
    const [w, b] = newtonBinary(x, y, 0.5);
    expect(model.weights[0]).toBeCloseTo(w!, 6);
    expect(model.bias[0]).toBeCloseTo(b!, 6);
    const p0 = sigmoid(model.bias[0]!);
    const p1 = sigmoid(2 * model.weights[0]! + model.bias[0]!);
    expect(Math.abs(p0 + p1 - 1)).toBeLessThan(1e-6); // ∂/∂b
    expect(Math.abs(2 * (p1 - 1) + 0.5 * model.weights[0]!)).toBeLessThan(1e-6); // ∂/∂w
  });

  it('matches Newton on 200 noisy rows × 4 features, dense and sparse alike', () => {
    const { x, y } = synthetic(200, 4, 2, 7);
    const reference = newtonBinary(x, y, 1);
    for (const design of [x, toSparse(x)] as Design[]) {
      const model = fitLogistic(design, y, { task: 'binary', classes: 2 });
      expect(model.converged).toBe(true);
      for (let j = 0; j < 4; j++) expect(model.weights[j]).toBeCloseTo(reference[j]!, 5);
      expect(model.bias[0]).toBeCloseTo(reference[4]!, 5);
    }
  });

  it('is deterministic: two fits give the same bits', () => {
    const { x, y } = synthetic(300, 6, 2, 3);
    const a = fitLogistic(x, y, { task: 'binary', classes: 2 });
    const b = fitLogistic(x, y, { task: 'binary', classes: 2 });
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
    expect(a.iterations).toBe(b.iterations);
  });

  it('sample weights equal duplicated rows', () => {
    const { x, y } = synthetic(120, 3, 2, 11);
    const weights = Float32Array.from({ length: 120 }, (_, r) => (r % 3 === 0 ? 2 : r % 5 === 0 ? 0 : 1));
    const rows: number[] = [];
    for (let r = 0; r < 120; r++) for (let c = 0; c < weights[r]!; c++) rows.push(r);
    const picked = Int32Array.from(rows);
    const weighted = fitLogistic(x, y, { task: 'binary', classes: 2, sampleWeight: weights });
    const duplicated = fitLogistic(
      selectRows(x, picked),
      Int32Array.from(rows, (r) => y[r]!),
      {
        task: 'binary',
        classes: 2,
      },
    );
    const reference = newtonBinary(x, y, 1, weights);
    for (let j = 0; j < 3; j++) {
      expect(weighted.weights[j]).toBeCloseTo(duplicated.weights[j]!, 5);
      expect(weighted.weights[j]).toBeCloseTo(reference[j]!, 5);
    }
    expect(weighted.bias[0]).toBeCloseTo(duplicated.bias[0]!, 5);
  });

  it('one class only: the bias runs up until the gradient is within tolerance, weights stay finite', () => {
    const model = fitLogistic(dense([[1], [2], [3]]), Int32Array.from([1, 1, 1]), { task: 'binary', classes: 2 });
    expect(model.converged).toBe(true);
    const p = predictProba(model, dense([[2]]));
    expect(p[1]).toBeGreaterThan(0.999);
  });

  it('refuses labels and weights that do not fit the design', () => {
    const x = dense([[0], [1]]);
    expect(() => fitLogistic(x, Int32Array.from([0, 2]), { task: 'binary', classes: 2 })).toThrow(/not a class/);
    const empty: DenseDesign = { kind: 'dense', rows: 0, dim: 1, values: new Float32Array(0) };
    expect(() => fitLogistic(empty, new Int32Array(0), { task: 'binary', classes: 2 })).toThrow(/no labeled rows/);
    expect(() => fitLogistic(x, Int32Array.from([0]), { task: 'binary', classes: 2 })).toThrow(/1 labels for 2 rows/);
    expect(() => fitLogistic(x, Int32Array.from([0, 1]), { task: 'binary', classes: 3 })).toThrow(/2 classes/);
    expect(() =>
      fitLogistic(x, Int32Array.from([0, 1]), { task: 'binary', classes: 2, sampleWeight: Float32Array.from([1, -1]) }),
    ).toThrow(/sampleWeight/);
    expect(() =>
      predictProba(fitLogistic(x, Int32Array.from([0, 1]), { task: 'binary', classes: 2 }), dense([[1, 2]])),
    ).toThrow(/takes 1 features/);
  });
});

describe('fitLogistic, multiclass', () => {
  it('three classes at the unit vectors: W = αI + β(11ᵀ−I) with α = q, β = −q/2, q = 2e^(−1.5q)/(1+2e^(−1.5q))', () => {
    // Row k is e_k labelled k. By symmetry biases are equal (0 after centring), W[k][k] = α, W[k][j] = β.
    // ∂/∂W[k][k] = p_own − 1 + α = 0 and ∂/∂W[k][j] = p_other + β = 0 with p_other = (1−p_own)/2, so with
    // q = 1 − p_own: α = q, β = −q/2, and p_own = 1/(1 + 2e^−(α−β)) gives q = 2e^(−1.5q)/(1 + 2e^(−1.5q)).
    let q = 0.5;
    for (let i = 0; i < 200; i++) q = (2 * Math.exp(-1.5 * q)) / (1 + 2 * Math.exp(-1.5 * q));
    const model = fitLogistic(
      dense([
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ]),
      Int32Array.from([0, 1, 2]),
      { task: 'multiclass', classes: 3 },
    );
    expect(model.converged).toBe(true);
    for (let k = 0; k < 3; k++) {
      for (let j = 0; j < 3; j++) expect(model.weights[k * 3 + j]).toBeCloseTo(k === j ? q : -q / 2, 6);
      expect(model.bias[k]).toBeCloseTo(0, 6);
    }
    const p = predictProba(model, dense([[1, 0, 0]]));
    expect(p[0]).toBeCloseTo(1 - q, 6);
    expect(p[1]).toBeCloseTo(q / 2, 6);
  });

  it('returns a point where the plainly written gradient vanishes (4 classes, 300 rows)', () => {
    const { x, y } = synthetic(300, 5, 4, 5);
    const model = fitLogistic(x, y, { task: 'multiclass', classes: 4, l2: 0.3 });
    expect(model.converged).toBe(true);
    const g = softmaxGradient(x, y, 4, model.weights, model.bias, 0.3);
    const atZero = softmaxGradient(x, y, 4, new Float64Array(20), new Float64Array(4), 0.3);
    expect(norm(g) / norm(atZero)).toBeLessThan(1e-5);
    const sumBias = Array.from(model.bias).reduce((s, v) => s + v, 0);
    expect(Math.abs(sumBias)).toBeLessThan(1e-12);
    const p = predictProba(model, x);
    for (let r = 0; r < 5; r++) expect(p[r * 4]! + p[r * 4 + 1]! + p[r * 4 + 2]! + p[r * 4 + 3]!).toBeCloseTo(1, 6);
  });

  it('binary as a two-class softmax gives the same probabilities as the sigmoid', () => {
    // A two-class softmax with w₁ − w₀ = w is the sigmoid model with penalty l2/2·(w₀² + w₁²) = l2/4·w² at
    // w₀ = −w₁, i.e. the binary fit with l2/2.
    const { x, y } = synthetic(150, 3, 2, 9);
    const soft = fitLogistic(x, y, { task: 'multiclass', classes: 2, l2: 1 });
    const sig = fitLogistic(x, y, { task: 'binary', classes: 2, l2: 0.5 });
    const a = predictProba(soft, x);
    const b = predictProba(sig, x);
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 5);
  });
});

describe('fitLogistic, multilabel', () => {
  it('equals one independent binary fit per class', () => {
    const { x } = synthetic(200, 4, 2, 13);
    const next = stream(99);
    const labels = new Uint8Array(200 * 3);
    for (let r = 0; r < 200; r++) {
      for (let k = 0; k < 3; k++) labels[r * 3 + k] = x.values[r * 4 + k]! + 0.5 * (next() - 0.5) > 0 ? 1 : 0;
    }
    const model = fitLogistic(x, labels, { task: 'multilabel', classes: 3 });
    expect(model.converged).toBe(true);
    const p = predictProba(model, x);
    for (let k = 0; k < 3; k++) {
      const y = Int32Array.from({ length: 200 }, (_, r) => labels[r * 3 + k]!);
      const single = fitLogistic(x, y, { task: 'binary', classes: 2 });
      for (let j = 0; j < 4; j++) expect(model.weights[k * 4 + j]).toBeCloseTo(single.weights[j]!, 6);
      expect(model.bias[k]).toBeCloseTo(single.bias[0]!, 6);
      const q = predictProba(single, x);
      for (let r = 0; r < 200; r++) expect(p[r * 3 + k]).toBeCloseTo(q[r * 2 + 1]!, 6);
    }
  });
});

describe('fitLogistic, warm start', () => {
  it('reaches the same optimum in fewer iterations from the previous model', () => {
    const { x, y } = synthetic(1000, 8, 3, 21);
    const first = Int32Array.from({ length: 900 }, (_, i) => i);
    const previous = fitLogistic(selectRows(x, first), y.subarray(0, 900), { task: 'multiclass', classes: 3 });
    const cold = fitLogistic(x, y, { task: 'multiclass', classes: 3 });
    const warm = fitLogistic(x, y, { task: 'multiclass', classes: 3, warmStart: previous });
    expect(warm.warmStarted).toBe(true);
    expect(cold.warmStarted).toBe(false);
    expect(warm.converged && cold.converged).toBe(true);
    expect(warm.iterations).toBeLessThan(cold.iterations);
    const a = predictProba(cold, x);
    const b = predictProba(warm, x);
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 5);
  });

  it('ignores a previous model of another shape', () => {
    const { x, y } = synthetic(100, 3, 2, 1);
    const other = fitLogistic(
      dense([
        [0, 1],
        [1, 0],
      ]),
      Int32Array.from([0, 1]),
      { task: 'binary', classes: 2 },
    );
    const model = fitLogistic(x, y, { task: 'binary', classes: 2, warmStart: other });
    expect(model.warmStarted).toBe(false);
    expect(model.converged).toBe(true);
  });
});

describe('fitLogistic over a wide sparse space', () => {
  it('leaves unused columns at exactly 0 and matches the fit over the used columns alone', () => {
    const { x, y } = synthetic(100, 3, 2, 17);
    const narrow = toSparse(x);
    const spread = [5, 1000, 70000];
    const wide: SparseDesign = { ...narrow, dim: 1 << 18, indices: narrow.indices.map((j) => spread[j]!) };
    const a = fitLogistic(narrow, y, { task: 'binary', classes: 2 });
    const b = fitLogistic(wide, y, { task: 'binary', classes: 2 });
    for (let j = 0; j < 3; j++) expect(b.weights[spread[j]!]).toBe(a.weights[j]);
    let nonzero = 0;
    for (let j = 0; j < b.weights.length; j++) if (b.weights[j] !== 0) nonzero++;
    expect(nonzero).toBe(3);
  });
});

describe('fitLogistic, limits', () => {
  it('stops at maxIterations and says it did not converge (separable data, no penalty)', () => {
    const model = fitLogistic(dense([[-1], [1]]), Int32Array.from([0, 1]), {
      task: 'binary',
      classes: 2,
      l2: 0,
      maxIterations: 15,
    });
    expect(model.iterations).toBe(15);
    expect(model.converged).toBe(false);
    expect(Number.isFinite(model.weights[0]!)).toBe(true);
  });

  it('learns from hashed text end to end', () => {
    const spam = ['win free money now', 'free prize click now', 'claim your free money', 'winner: click for prize'];
    const ham = ['meeting moved to noon', 'lunch at noon?', 'notes from the meeting', 'see you at lunch'];
    const x = hashTexts([...spam, ...ham]);
    const y = Int32Array.from([1, 1, 1, 1, 0, 0, 0, 0]);
    const model = fitLogistic(x, y, { task: 'binary', classes: 2 });
    expect(model.converged).toBe(true);
    const p = predictProba(model, hashTexts(['free money prize', 'meeting at lunch']));
    expect(p[1]).toBeGreaterThan(0.5);
    expect(p[3]).toBeLessThan(0.5);
  });
});

describe('predictProba', () => {
  it('binary gives [1−p, p] with p = σ(w·x + b)', () => {
    const model = fitLogistic(dense([[-1], [1]]), Int32Array.from([0, 1]), { task: 'binary', classes: 2 });
    const p = predictProba(model, dense([[0.5]]));
    const expected = sigmoid(0.5 * model.weights[0]! + model.bias[0]!);
    expect(p[1]).toBeCloseTo(expected, 7);
    expect(p[0]).toBeCloseTo(1 - expected, 7);
  });

  it('softplus and sigmoid hold at extreme scores', () => {
    expect(softplus(1000)).toBe(1000);
    expect(softplus(-1000)).toBe(0);
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(1000)).toBe(1);
  });
});
