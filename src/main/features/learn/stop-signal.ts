/**
 * When to stop labeling: agreement between successive learners' predictions over the pool (Cohen's
 * kappa, averaged over a window as small-text's KappaAverage, after Bloodgood & Vijay-Shanker 2009)
 * and the expected gain in accuracy from the next labels, read off the control learning curve.
 */

/**
 * Cohen's kappa between two label vectors: (p_o − p_e)/(1 − p_e). When both give one and the same
 * class throughout (p_e = 1) it is 1, as small-text counts scikit-learn's NaN there.
 */
export function cohenKappa(a: Int32Array, b: Int32Array, classes?: number): number {
  if (a.length !== b.length)
    throw new RangeError(`kappa compares vectors of one length, got ${a.length} and ${b.length}`);
  if (a.length === 0) throw new RangeError('kappa needs at least one prediction');
  let k = classes ?? 0;
  if (classes === undefined) for (let i = 0; i < a.length; i++) k = Math.max(k, a[i]! + 1, b[i]! + 1);
  const ca = new Float64Array(k);
  const cb = new Float64Array(k);
  let agree = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (!(x >= 0 && x < k && y >= 0 && y < k)) throw new RangeError(`prediction ${i} is not one of ${k} classes`);
    ca[x]!++;
    cb[y]!++;
    if (x === y) agree++;
  }
  const n = a.length;
  let pe = 0;
  for (let c = 0; c < k; c++) pe += (ca[c]! / n) * (cb[c]! / n);
  const po = agree / n;
  if (pe >= 1) return 1;
  return (po - pe) / (1 - pe);
}

export interface KappaAverage {
  /** Mean of the last `window` kappas; null until there are that many. */
  average: number | null;
  /** Whether the average reached the threshold. */
  stop: boolean;
  window: number;
  threshold: number;
}

/**
 * small-text's KappaAverage over a history of kappas, each between one refresh's predictions and the
 * previous refresh's (oldest first); NaN entries count as 1 as small-text counts them.
 */
export function kappaAverage(history: readonly number[], window = 3, threshold = 0.99): KappaAverage {
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`window must be a whole number ≥ 1, got ${window}`);
  if (history.length < window) return { average: null, stop: false, window, threshold };
  let sum = 0;
  for (const k of history.slice(-window)) sum += Number.isNaN(k) ? 1 : k;
  const average = sum / window;
  return { average, stop: average >= threshold, window, threshold };
}

export interface LearningCurvePoint {
  labels: number;
  accuracy: number;
}

export interface ExpectedGain {
  /** Expected accuracy gain from `next` more labels (≥ 0); null with too few points to fit. */
  gain: number | null;
  /** Fitted accuracy = intercept + slope·ln(labels). */
  intercept: number;
  slope: number;
  /** Labels at the last point, from which the gain is counted. */
  from: number;
  next: number;
}

/**
 * Expected gain from the next labels: accuracy = α + β·ln(labels) fitted by least squares, gain =
 * max(0, β·ln((n + next)/n)) at the last point's n.
 */
export function expectedGain(curve: readonly LearningCurvePoint[], next = 100): ExpectedGain {
  // Why log-linear: a live control curve has a handful of noisy points, where a three-parameter
  // power law a − b·n^−c overfits; two parameters still give diminishing returns.
  if (!(next > 0)) throw new RangeError(`next must be > 0, got ${next}`);
  const points = curve.filter((p) => p.labels > 0 && Number.isFinite(p.accuracy));
  const from = points.reduce((m, p) => Math.max(m, p.labels), 0);
  const distinct = new Set(points.map((p) => p.labels)).size;
  if (distinct < 2) return { gain: null, intercept: Number.NaN, slope: Number.NaN, from, next };
  let mx = 0;
  let my = 0;
  for (const p of points) {
    mx += Math.log(p.labels);
    my += p.accuracy;
  }
  mx /= points.length;
  my /= points.length;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    const dx = Math.log(p.labels) - mx;
    sxy += dx * (p.accuracy - my);
    sxx += dx * dx;
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const gain = Math.max(0, slope * Math.log((from + next) / from));
  return { gain, intercept, slope, from, next };
}
