import { countBelow } from '../../domain/sorted';

/**
 * Distribution drift of one numeric quantity (a model score or a feature) between a reference
 * sample (e.g. the training or last-approved window) and a current one.
 *
 * Both measures ignore non-finite values (NaN, ±Infinity: a missing value is not a position on the
 * axis) and copy the finite ones into a Float64Array sorted natively, so they are O(n log n) and
 * never call a comparator.
 */

export type DriftLevel = 'ok' | 'warn' | 'alert';

/** The usual PSI reading: below 0.1 no meaningful shift, 0.1–0.2 moderate, 0.2 and above major. */
export const DRIFT_WARN = 0.1;
export const DRIFT_ALERT = 0.2;

/** Proportion given to an empty bin (on either side) so that PSI stays finite. */
export const PSI_EPSILON = 1e-4;

/** Default number of reference-quantile bins. */
export const DEFAULT_PSI_BINS = 10;

/** 'alert' at ≥ DRIFT_ALERT, 'warn' at ≥ DRIFT_WARN, else 'ok'. NaN is a RangeError, never silently ok. */
export function driftLevel(value: number): DriftLevel {
  if (Number.isNaN(value)) throw new RangeError('drift value is NaN');
  return value >= DRIFT_ALERT ? 'alert' : value >= DRIFT_WARN ? 'warn' : 'ok';
}

/** The finite values of xs, sorted ascending. */
function sortedFinite(xs: ArrayLike<number>): Float64Array {
  const n = xs.length;
  let m = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(xs[i]!)) m++;
  const out = new Float64Array(m);
  for (let i = 0, j = 0; i < n; i++) {
    const x = xs[i]!;
    if (Number.isFinite(x)) out[j++] = x === 0 ? 0 : x; // −0 → 0: one zero for the tie logic
  }
  return out.sort();
}

/** Number of values ≤ x in an ascending array (binary search). */
function countAtMost(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Interior cut points of `bins` reference-quantile bins: the j/bins quantiles (j = 1..bins − 1,
 * linear interpolation between order statistics, numpy's default) with repeats removed, so heavy
 * ties in the reference merge bins instead of leaving zero-width ones.
 */
function quantileEdges(sorted: Float64Array, bins: number): Float64Array {
  const m = sorted.length;
  const edges: number[] = [];
  for (let j = 1; j < bins; j++) {
    const h = ((m - 1) * j) / bins;
    const lo = Math.floor(h);
    const a = sorted[lo]!;
    const e = lo + 1 < m ? a + (h - lo) * (sorted[lo + 1]! - a) : a;
    if (edges.length === 0 || e > edges[edges.length - 1]!) edges.push(e);
  }
  return Float64Array.from(edges);
}

/** Σ (c − r) · ln(c / r) over bins, each proportion raised to PSI_EPSILON when below it. */
function psiFromCounts(ref: Float64Array, refTotal: number, cur: Float64Array, curTotal: number): number {
  let sum = 0;
  for (let b = 0; b < ref.length; b++) {
    const r = Math.max(ref[b]! / refTotal, PSI_EPSILON);
    const c = Math.max(cur[b]! / curTotal, PSI_EPSILON);
    sum += (c - r) * Math.log(c / r);
  }
  return sum;
}

/**
 * Population stability index, Σ (c_b − r_b) · ln(c_b / r_b) over bins of the proportions of the
 * reference (r) and current (c) values.
 *
 * Bins are cut at the reference's j/bins quantiles (default 10 bins, linear interpolation), right
 * closed, with open outer bins so current values beyond the reference range land in the end bins:
 * (−∞, q₁], (q₁, q₂], …, (q_last, ∞). Repeated cut points (ties in the reference) are merged, so a
 * reference with few distinct values gets fewer, unequal bins. A CONSTANT reference (one distinct
 * value v) gets three bins instead, (−∞, v), [v, v], (v, ∞), so a current sample that moved either
 * way shows up. A proportion below PSI_EPSILON (1e-4), an empty bin in particular, counts as 1e-4 on
 * either side (no renormalisation), which bounds each bin's term and keeps PSI finite.
 *
 * Non-finite values are ignored; null when either side has no finite value. `bins` must be an
 * integer ≥ 2. O(m log m) for the reference sort, O(n log bins) for the current sample.
 */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>, bins = DEFAULT_PSI_BINS): number | null {
  if (!Number.isInteger(bins) || bins < 2) throw new RangeError(`bins must be an integer ≥ 2, got ${bins}`);
  const ref = sortedFinite(reference);
  const m = ref.length;
  if (m === 0) return null;

  const constant = ref[0] === ref[m - 1];
  const edges = constant ? new Float64Array(0) : quantileEdges(ref, bins);
  const nb = constant ? 3 : edges.length + 1;
  const refCounts = new Float64Array(nb);
  const curCounts = new Float64Array(nb);
  let curTotal = 0;
  const n = current.length;
  if (constant) {
    const v = ref[0]!;
    refCounts[1] = m;
    for (let i = 0; i < n; i++) {
      const x = current[i]!;
      if (!Number.isFinite(x)) continue;
      curCounts[x < v ? 0 : x === v ? 1 : 2]!++;
      curTotal++;
    }
  } else {
    let below = 0;
    for (let b = 0; b < edges.length; b++) {
      const atMost = countAtMost(ref, edges[b]!);
      refCounts[b] = atMost - below;
      below = atMost;
    }
    refCounts[edges.length] = m - below;
    for (let i = 0; i < n; i++) {
      const x = current[i]!;
      if (!Number.isFinite(x)) continue;
      curCounts[countBelow(edges, x)]!++; // bins (−∞, e₁], (e₁, e₂], …, (e_last, ∞)
      curTotal++;
    }
  }
  if (curTotal === 0) return null;
  return psiFromCounts(refCounts, m, curCounts, curTotal);
}

/**
 * Survival function of the Kolmogorov distribution, Q(λ) = P(K > λ) = 2 Σ_{j≥1} (−1)^{j−1} e^{−2j²λ²}.
 * The alternating series converges slowly for small λ, so below 1.18 the equivalent theta-function
 * form 1 − (√(2π)/λ) Σ_{j odd} e^{−j²π²/(8λ²)} is used (Numerical Recipes 3rd ed., §6.14); both are
 * accurate to double precision with four terms. Q(λ ≤ 0) = 1.
 */
export function kolmogorovSurvival(lambda: number): number {
  if (!(lambda > 0)) return 1;
  if (lambda < 1.18) {
    const y = Math.exp(-(Math.PI * Math.PI) / (8 * lambda * lambda));
    const y8 = y ** 8;
    // y + y⁹ + y²⁵ + y⁴⁹ = y · (1 + y⁸ · (1 + y¹⁶ · (1 + y²⁴)))
    const s = y * (1 + y8 * (1 + y8 * y8 * (1 + y8 * y8 * y8)));
    return clamp01(1 - (Math.sqrt(2 * Math.PI) / lambda) * s);
  }
  const x = Math.exp(-2 * lambda * lambda);
  // x − x⁴ + x⁹ − x¹⁶
  return clamp01(2 * (x - x ** 4 + x ** 9 - x ** 16));
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/**
 * Two-sample Kolmogorov–Smirnov test. D = sup_x |F_ref(x) − F_cur(x)| over the empirical CDFs, both
 * evaluated after ALL values equal to x (so ties, and a constant reference, are handled exactly: two
 * identical samples give D = 0; a constant reference against a different constant gives D = 1).
 *
 * p-value: asymptotic, Q_KS(λ) with λ = (√nₑ + 0.12 + 0.11/√nₑ) · D and the effective size
 * nₑ = m·n / (m + n) (Stephens' small-sample correction, as in Numerical Recipes' kstwo). Good from
 * nₑ ≈ 4 upwards; with many ties the test is conservative (the true p-value is smaller).
 *
 * Non-finite values are ignored; null when either side has no finite value.
 */
export function ks(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
): { statistic: number; pValue: number } | null {
  const a = sortedFinite(reference);
  const b = sortedFinite(current);
  const m = a.length;
  const n = b.length;
  if (m === 0 || n === 0) return null;
  let i = 0;
  let j = 0;
  let d = 0;
  // Once one side is used up its CDF is 1 and the gap only shrinks, so stopping there is exact.
  while (i < m && j < n) {
    const x = Math.min(a[i]!, b[j]!);
    while (i < m && a[i] === x) i++;
    while (j < n && b[j] === x) j++;
    const gap = Math.abs(i / m - j / n);
    if (gap > d) d = gap;
  }
  const en = Math.sqrt((m * n) / (m + n));
  const pValue = kolmogorovSurvival((en + 0.12 + 0.11 / en) * d);
  return { statistic: d, pValue };
}
