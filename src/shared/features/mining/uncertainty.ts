/**
 * Per-example mining priorities computed from flat probability arrays.
 *
 * Layout: `scores` holds n examples × k values, example i at `scores.subarray(i * k, (i + 1) * k)`.
 * k = 1 means a binary task and the single value is P(positive) = P(classes[1]) (see
 * `scoreWidth` in domain/task.ts); the two-class distribution is then [1 − p, p].
 * k ≥ 2 means a multiclass vector (or, with `{ multilabel: true }`, k independent probabilities).
 *
 * Every function returns a Float64Array of length n where a HIGHER value means MORE worth
 * labeling. Nothing allocates per row. Inputs are assumed validated (values in [0, 1], no NaN);
 * probabilities are clamped to [1e-12, 1] before any logarithm (`fastLn`, a table logarithm
 * accurate to 3e-11) and results are clamped to their documented range so rounding never leaks out.
 *
 * Conventions:
 * - argmax ties go to the lower class index (like numpy); binary predicts the positive class when
 *   p ≥ 0.5. So a k = 2 vector [0.5, 0.5] predicts class 0 while binary p = 0.5 predicts class 1:
 *   the only point where the k = 1 and k = 2 encodings differ.
 * - entropy and Jensen–Shannon renormalise each multiclass vector by its sum (float32 vectors
 *   rarely sum to exactly 1); least confidence, margin and |Δp| use the values as stored.
 * - least confidence is not rescaled: its maximum is 1 − 1/k (0.5 for binary).
 */

/** Smallest probability fed to a logarithm. */
export const LOG_FLOOR = 1e-12;

export interface MultilabelOption {
  /**
   * The k values are independent per-label probabilities (multilabel task): the measure is the
   * mean over labels of the binary measure of each label.
   */
  multilabel?: boolean;
}

function checkShape(scores: ArrayLike<number>, n: number, k: number, name = 'scores'): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (scores.length < n * k) {
    throw new RangeError(`${name} holds ${scores.length} values, fewer than n × k = ${n} × ${k}`);
  }
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

// Fast natural log. Math.log costs ~12 ns in V8, and entropy over 1M × 3 scores needs 4M of them;
// a table of log2 over the top 16 mantissa bits with linear interpolation on the remaining ones is
// ~2–3× faster and accurate to 3e-11 (absolute), far below what ranking or two-decimal reasons see.
const LOG2_BITS = 16;
const LOG2_TABLE = new Float64Array((1 << LOG2_BITS) + 1);
for (let i = 0; i < LOG2_TABLE.length; i++) LOG2_TABLE[i] = Math.log2(1 + i / (1 << LOG2_BITS));
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = 1 - HI;
const FRAC_SCALE = 1 / 2 ** (52 - LOG2_BITS);

/**
 * Natural logarithm for positive, finite, normal x (≥ 2^-1022), absolute error < 3e-11; exact at
 * powers of two (ln 1 = 0, ln 0.5 = −ln 2). Not for 0, negatives, NaN or Infinity.
 */
export function fastLn(x: number): number {
  F64[0] = x;
  const hi = U32[HI]!;
  // the 52-bit mantissa: top 16 bits index the table, the other 36 interpolate
  const idx = (hi >>> 4) & 0xffff;
  const frac = ((hi & 0xf) * 4294967296 + U32[LO]!) * FRAC_SCALE;
  const t0 = LOG2_TABLE[idx]!;
  return ((hi >>> 20) - 1023 + t0 + (LOG2_TABLE[idx + 1]! - t0) * frac) * Math.LN2;
}

/** p · ln p with p clamped to the log floor (0 · ln 0 = 0). */
function xlogx(p: number): number {
  return p * fastLn(Math.max(p, LOG_FLOOR));
}

/** Binary entropy of [1 − p, p] in nats. */
function binaryEntropyNats(p: number): number {
  return -(xlogx(p) + xlogx(1 - p));
}

/** Class index with the largest value in row i (ties: lower index). */
export function argmaxAt(scores: Float32Array, i: number, k: number): number {
  const base = i * k;
  let best = 0;
  let bestP = scores[base]!;
  for (let j = 1; j < k; j++) {
    const p = scores[base + j]!;
    if (p > bestP) {
      bestP = p;
      best = j;
    }
  }
  return best;
}

/**
 * Predicted class of example i: argmax for k ≥ 2 (ties: lower index), and for binary (k = 1)
 * 1 when p ≥ 0.5 else 0.
 */
export function predictedClass(scores: Float32Array, i: number, k: number): number {
  return k === 1 ? (scores[i]! >= 0.5 ? 1 : 0) : argmaxAt(scores, i, k);
}

/** Probability the model gives its own predicted class for example i (binary: max(p, 1 − p)). */
export function predictedConfidence(scores: Float32Array, i: number, k: number): number {
  if (k === 1) {
    const p = scores[i]!;
    return p >= 0.5 ? p : 1 - p;
  }
  return scores[i * k + argmaxAt(scores, i, k)]!;
}

export interface TopTwo {
  /** Class index of the largest value (ties: lower index). */
  first: number;
  /** Class index of the second largest value. */
  second: number;
  pFirst: number;
  pSecond: number;
}

/**
 * The two most probable classes of example i. Binary rows (k = 1) are read as [1 − p, p]; at
 * p = 0.5 the positive class comes first (consistent with `predictedClass`).
 */
export function topTwoAt(scores: Float32Array, i: number, k: number): TopTwo {
  if (k === 1) {
    const p = scores[i]!;
    return p >= 0.5
      ? { first: 1, second: 0, pFirst: p, pSecond: 1 - p }
      : { first: 0, second: 1, pFirst: 1 - p, pSecond: p };
  }
  const base = i * k;
  let first = 0;
  let pFirst = scores[base]!;
  let second = -1;
  let pSecond = -Infinity;
  for (let j = 1; j < k; j++) {
    const p = scores[base + j]!;
    if (p > pFirst) {
      second = first;
      pSecond = pFirst;
      first = j;
      pFirst = p;
    } else if (p > pSecond) {
      second = j;
      pSecond = p;
    }
  }
  // k ≥ 2 guarantees second was set by the loop.
  return { first, second, pFirst, pSecond };
}

/**
 * Raw margin of example i: p_top1 − p_top2 (binary: |2p − 1|). Small = uncertain. For reasons;
 * the priority is `margin()`.
 */
export function marginValue(scores: Float32Array, i: number, k: number): number {
  if (k === 1) return Math.abs(2 * scores[i]! - 1);
  const base = i * k;
  let a = -Infinity;
  let b = -Infinity;
  for (let j = 0; j < k; j++) {
    const p = scores[base + j]!;
    if (p > a) {
      b = a;
      a = p;
    } else if (p > b) b = p;
  }
  return a - b;
}

// Each public function checks its input and hands the loop to a small kernel per case: one loop
// per function keeps V8's inlining budget for fastLn and Math.max/min (branch-free on random data).

/**
 * Least confidence: 1 − max p (binary: 1 − max(p, 1 − p)). Range [0, 1 − 1/k] (binary [0, 0.5]).
 * Multilabel: mean over labels of 1 − max(p, 1 − p).
 */
export function leastConfidence(scores: Float32Array, n: number, k: number, opts?: MultilabelOption): Float64Array {
  checkShape(scores, n, k);
  return k === 1 || opts?.multilabel ? leastConfidencePerLabel(scores, n, k) : leastConfidenceMulticlass(scores, n, k);
}

function leastConfidencePerLabel(scores: Float32Array, n: number, k: number): Float64Array {
  const out = new Float64Array(n);
  const len = n * k;
  if (k === 1) {
    for (let i = 0; i < len; i++) {
      const p = scores[i]!;
      out[i] = Math.min(p, 1 - p);
    }
    return out;
  }
  for (let i = 0, base = 0; i < n; i++, base += k) {
    let sum = 0;
    for (let j = base; j < base + k; j++) {
      const p = scores[j]!;
      sum += Math.min(p, 1 - p);
    }
    out[i] = sum / k;
  }
  return out;
}

function leastConfidenceMulticlass(scores: Float32Array, n: number, k: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0, base = 0; i < n; i++, base += k) {
    let max = scores[base]!;
    for (let j = base + 1; j < base + k; j++) max = Math.max(max, scores[j]!);
    out[i] = clamp01(1 - max);
  }
  return out;
}

/** Margin priority: 1 − (p_top1 − p_top2) (binary: 1 − |2p − 1|). Range [0, 1]. */
export function margin(scores: Float32Array, n: number, k: number): Float64Array {
  checkShape(scores, n, k);
  return k === 1 ? marginBinary(scores, n) : marginMulticlass(scores, n, k);
}

function marginBinary(scores: Float32Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = clamp01(1 - Math.abs(2 * scores[i]! - 1));
  return out;
}

function marginMulticlass(scores: Float32Array, n: number, k: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0, base = 0; i < n; i++, base += k) {
    let a = -Infinity; // largest so far
    let b = -Infinity; // second largest so far
    for (let j = base; j < base + k; j++) {
      const p = scores[j]!;
      b = Math.max(b, Math.min(a, p));
      a = Math.max(a, p);
    }
    out[i] = clamp01(1 - (a - b));
  }
  return out;
}

/**
 * Shannon entropy in nats divided by ln k, in [0, 1]. Binary: the distribution [1 − p, p] over
 * ln 2. Multiclass vectors are renormalised by their sum (H(p/s) = ln s − Σ p ln p / s, one pass);
 * an all-zero row counts as uniform (1). Multilabel: mean over labels of the binary entropy / ln 2.
 */
export function entropy(scores: Float32Array, n: number, k: number, opts?: MultilabelOption): Float64Array {
  checkShape(scores, n, k);
  return k === 1 || opts?.multilabel ? entropyPerLabel(scores, n, k) : entropyMulticlass(scores, n, k);
}

function entropyPerLabel(scores: Float32Array, n: number, k: number): Float64Array {
  const out = new Float64Array(n);
  const norm = k * Math.LN2;
  for (let i = 0, base = 0; i < n; i++, base += k) {
    let h = 0;
    for (let j = base; j < base + k; j++) h += binaryEntropyNats(scores[j]!);
    out[i] = clamp01(h / norm);
  }
  return out;
}

function entropyMulticlass(scores: Float32Array, n: number, k: number): Float64Array {
  const out = new Float64Array(n);
  const lnK = Math.log(k);
  for (let i = 0, base = 0; i < n; i++, base += k) {
    let s = 0;
    let plogp = 0;
    for (let j = base; j < base + k; j++) {
      const p = scores[j]!;
      s += p;
      plogp += p * fastLn(Math.max(p, LOG_FLOOR));
    }
    out[i] = s > 0 ? clamp01((lnNearOne(s) - plogp / s) / lnK) : 1;
  }
  return out;
}

/** ln s for a sum of probabilities: a cubic series when s is within 1e-3 of 1 (error < 3e-13). */
function lnNearOne(s: number): number {
  const d = s - 1;
  return Math.abs(d) < 1e-3 ? d - (d * d) / 2 + (d * d * d) / 3 : fastLn(s);
}

/**
 * Closeness to a binary decision threshold t ∈ (0, 1): 1 − |p − t| / max(t, 1 − t), in [0, 1]
 * (1 at p = t, 0 at the farther end of [0, 1]). Binary scores only (one value per example).
 */
export function thresholdDistance(scores: Float32Array, n: number, threshold: number): Float64Array {
  checkShape(scores, n, 1);
  if (!(threshold > 0 && threshold < 1)) throw new RangeError(`threshold must be in (0, 1), got ${threshold}`);
  const scale = Math.max(threshold, 1 - threshold);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = clamp01(1 - Math.abs(scores[i]! - threshold) / scale);
  return out;
}

/** 1 where the two runs predict different classes (argmax; binary: p ≥ 0.5), else 0. */
export function labelFlip(a: Float32Array, b: Float32Array, n: number, k: number): Float64Array {
  checkShape(a, n, k, 'a');
  checkShape(b, n, k, 'b');
  return k === 1 ? labelFlipBinary(a, b, n) : labelFlipMulticlass(a, b, n, k);
}

function labelFlipBinary(a: Float32Array, b: Float32Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = +(a[i]! >= 0.5) ^ +(b[i]! >= 0.5);
  return out;
}

function labelFlipMulticlass(a: Float32Array, b: Float32Array, n: number, k: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0, base = 0; i < n; i++, base += k) {
    // both argmaxes in one pass (ties: the lower index, as argmaxAt)
    let ia = 0;
    let ib = 0;
    let ma = a[base]!;
    let mb = b[base]!;
    for (let j = 1; j < k; j++) {
      const pa = a[base + j]!;
      const pb = b[base + j]!;
      const ga = pa > ma;
      const gb = pb > mb;
      ia = ga ? j : ia;
      ma = ga ? pa : ma;
      ib = gb ? j : ib;
      mb = gb ? pb : mb;
    }
    out[i] = ia !== ib ? 1 : 0;
  }
  return out;
}

/**
 * labelFlip + absDelta in one pass: label flips rank first (1 + mean |Δp|), and within flips and
 * agreements the larger mean |Δp| first. Range [0, 2].
 */
export function flipThenDelta(a: Float32Array, b: Float32Array, n: number, k: number): Float64Array {
  checkShape(a, n, k, 'a');
  checkShape(b, n, k, 'b');
  const out = new Float64Array(n);
  if (k === 1) {
    for (let i = 0; i < n; i++) {
      const pa = a[i]!;
      const pb = b[i]!;
      out[i] = (+(pa >= 0.5) ^ +(pb >= 0.5)) + clamp01(Math.abs(pa - pb));
    }
    return out;
  }
  for (let i = 0, base = 0; i < n; i++, base += k) {
    let ia = 0;
    let ib = 0;
    let ma = a[base]!;
    let mb = b[base]!;
    let sum = Math.abs(ma - mb);
    for (let j = 1; j < k; j++) {
      const pa = a[base + j]!;
      const pb = b[base + j]!;
      sum += Math.abs(pa - pb);
      if (pa > ma) {
        ma = pa;
        ia = j;
      }
      if (pb > mb) {
        mb = pb;
        ib = j;
      }
    }
    out[i] = (ia !== ib ? 1 : 0) + clamp01(sum / k);
  }
  return out;
}

/** Mean over classes of |Δp| between two runs (binary: |Δp|). Range [0, 1]. */
export function absDelta(a: Float32Array, b: Float32Array, n: number, k: number): Float64Array {
  checkShape(a, n, k, 'a');
  checkShape(b, n, k, 'b');
  const out = new Float64Array(n);
  for (let i = 0, base = 0; i < n; i++, base += k) {
    let sum = 0;
    for (let j = base; j < base + k; j++) sum += Math.abs(a[j]! - b[j]!);
    out[i] = clamp01(sum / k);
  }
  return out;
}

/**
 * Jensen–Shannon divergence between the two runs' distributions, natural log, divided by ln 2 so
 * it lies in [0, 1]: JS = Σ_j ½(p ln p + q ln q) − m ln m with m = (p + q) / 2. Binary: the
 * two-class distributions [1 − p, p] and [1 − q, q]. Multiclass vectors are renormalised by their
 * sums (an all-zero vector counts as uniform).
 */
export function jensenShannon(a: Float32Array, b: Float32Array, n: number, k: number): Float64Array {
  checkShape(a, n, k, 'a');
  checkShape(b, n, k, 'b');
  return k === 1 ? jensenShannonBinary(a, b, n) : jensenShannonMulticlass(a, b, n, k);
}

function jensenShannonBinary(a: Float32Array, b: Float32Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = a[i]!;
    const q = b[i]!;
    const m = (p + q) / 2;
    const js = 0.5 * (xlogx(p) + xlogx(q) + xlogx(1 - p) + xlogx(1 - q)) - xlogx(m) - xlogx(1 - m);
    out[i] = clamp01(js / Math.LN2);
  }
  return out;
}

function jensenShannonMulticlass(a: Float32Array, b: Float32Array, n: number, k: number): Float64Array {
  const out = new Float64Array(n);
  const uniform = 1 / k;
  for (let i = 0, base = 0; i < n; i++, base += k) {
    let sa = 0;
    let sb = 0;
    for (let j = base; j < base + k; j++) {
      sa += a[j]!;
      sb += b[j]!;
    }
    const ia = sa > 0 ? 1 / sa : 0;
    const ib = sb > 0 ? 1 / sb : 0;
    const ua = sa > 0 ? 0 : uniform;
    const ub = sb > 0 ? 0 : uniform;
    let js = 0;
    for (let j = base; j < base + k; j++) {
      const p = a[j]! * ia + ua;
      const q = b[j]! * ib + ub;
      js += 0.5 * (xlogx(p) + xlogx(q)) - xlogx((p + q) / 2);
    }
    out[i] = clamp01(js / Math.LN2);
  }
  return out;
}

/**
 * Vote entropy across R ≥ 3 runs: each run votes for its predicted class (argmax, binary p ≥ 0.5);
 * the entropy of the vote shares is divided by ln(min(R, C)) (C = number of classes, 2 for binary),
 * the largest entropy R votes over C classes can reach, so a maximal split scores 1.
 */
export function voteEntropy(runs: readonly Float32Array[], n: number, k: number): Float64Array {
  const r = runs.length;
  if (r < 3) throw new Error(`vote entropy needs at least 3 model runs, got ${r}`);
  runs.forEach((run, idx) => checkShape(run, n, k, `runs[${idx}]`));
  const classes = k === 1 ? 2 : k;
  const norm = Math.log(Math.min(r, classes));
  // share·ln(share) for every possible vote count c = 1..R.
  const plogp = new Float64Array(r + 1);
  for (let c = 1; c <= r; c++) plogp[c] = (c / r) * Math.log(c / r);
  const counts = new Int32Array(classes);
  const votes = new Int32Array(r);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let v = 0; v < r; v++) {
      const label = predictedClass(runs[v]!, i, k);
      votes[v] = label;
      counts[label]!++;
    }
    let h = 0;
    for (let v = 0; v < r; v++) {
      const label = votes[v]!;
      const c = counts[label]!;
      if (c > 0) {
        h -= plogp[c]!;
        counts[label] = 0; // counted once, and the counts are clean for the next example
      }
    }
    out[i] = clamp01(h / norm);
  }
  return out;
}

/**
 * Confident error: where the truth is known (class index ≥ 0; −1 or any negative = unknown) and the
 * predicted class differs from it, the probability of the predicted class; otherwise 0. Binary
 * truth is 0 (classes[0]) or 1 (classes[1]). A truth index outside the classes is a RangeError.
 */
export function confidentError(scores: Float32Array, n: number, k: number, truth: Int32Array): Float64Array {
  checkShape(scores, n, k);
  if (truth.length < n) throw new RangeError(`truth holds ${truth.length} values, fewer than n = ${n}`);
  const classes = k === 1 ? 2 : k;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = truth[i]!;
    if (t < 0) continue;
    if (t >= classes) throw new RangeError(`truth[${i}] = ${t} is not a class index below ${classes}`);
    const predicted = predictedClass(scores, i, k);
    if (predicted !== t) out[i] = clamp01(predictedConfidence(scores, i, k));
  }
  return out;
}
