/**
 * Limited-memory BFGS with a strong-Wolfe line search (Nocedal & Wright, algorithms 3.5, 3.6 and
 * 7.4). Deterministic: no randomness, fixed evaluation order, so the same inputs give the same bits.
 */

/** Writes the gradient at theta into grad and returns the objective's value there. */
export type Objective = (theta: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  maxIterations: number;
  /** Stop once the gradient's 2-norm is at most this (absolute). */
  gradientTolerance: number;
  /** Correction pairs kept. */
  memory?: number;
}

export interface LbfgsResult {
  value: number;
  iterations: number;
  converged: boolean;
  gradientNorm: number;
}

const C1 = 1e-4; // sufficient decrease
const C2 = 0.9; // curvature: loose, as usual for quasi-Newton directions
const MAX_BRACKET = 40;
const MAX_ZOOM = 40;

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Minimises objective from theta (updated in place). */
export function minimizeLbfgs(objective: Objective, theta: Float64Array, options: LbfgsOptions): LbfgsResult {
  const n = theta.length;
  const m = options.memory ?? 10;
  const tol = options.gradientTolerance;
  const g = new Float64Array(n);
  let f = objective(theta, g);
  let gnorm = Math.sqrt(dot(g, g));
  if (!Number.isFinite(f)) throw new RangeError('the objective is not finite at the starting point');
  if (gnorm <= tol) return { value: f, iterations: 0, converged: true, gradientNorm: gnorm };

  const s = Array.from({ length: m }, () => new Float64Array(n));
  const y = Array.from({ length: m }, () => new Float64Array(n));
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  let stored = 0;
  let newest = -1;
  let gamma = 1;

  let iterations = 0;
  let converged = false;
  while (iterations < options.maxIterations) {
    iterations++;
    // Two-loop recursion: d = -H·g.
    d.set(g);
    for (let k = 0; k < stored; k++) {
      const i = (newest - k + m) % m;
      alpha[i] = rho[i]! * dot(s[i]!, d);
      axpy(-alpha[i]!, y[i]!, d);
    }
    scale(d, gamma);
    for (let k = stored - 1; k >= 0; k--) {
      const i = (newest - k + m) % m;
      const beta = rho[i]! * dot(y[i]!, d);
      axpy(alpha[i]! - beta, s[i]!, d);
    }
    scale(d, -1);
    let slope = dot(d, g);
    if (!(slope < 0)) {
      // Not a descent direction (curvature information went stale): restart from steepest descent.
      stored = 0;
      gamma = 1;
      d.set(g);
      scale(d, -1);
      slope = -gnorm * gnorm;
    }
    const firstStep = stored === 0 ? Math.min(1, 1 / Math.sqrt(dot(d, d))) : 1;
    const accepted = lineSearch(objective, theta, f, slope, d, firstStep, xNew, gNew);
    if (accepted === undefined) {
      if (stored === 0) break; // even steepest descent makes no progress: at the limit of precision
      stored = 0;
      gamma = 1;
      continue;
    }
    const next = (newest + 1) % m;
    const sk = s[next]!;
    const yk = y[next]!;
    for (let i = 0; i < n; i++) {
      sk[i] = xNew[i]! - theta[i]!;
      yk[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(sk, yk);
    const yy = dot(yk, yk);
    if (sy > 1e-12 * yy && yy > 0) {
      rho[next] = 1 / sy;
      gamma = sy / yy;
      newest = next;
      stored = Math.min(stored + 1, m);
    }
    theta.set(xNew);
    g.set(gNew);
    f = accepted;
    gnorm = Math.sqrt(dot(g, g));
    if (gnorm <= tol) {
      converged = true;
      break;
    }
  }
  return { value: f, iterations, converged, gradientNorm: gnorm };
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i]! += a * x[i]!;
}

function scale(x: Float64Array, a: number): void {
  for (let i = 0; i < x.length; i++) x[i]! *= a;
}

/**
 * Finds a step satisfying the strong Wolfe conditions along d; leaves the point and its gradient in
 * xNew/gNew and returns its value, or undefined when none is found (rounding limits progress).
 */
function lineSearch(
  objective: Objective,
  x: Float64Array,
  f0: number,
  slope0: number,
  d: Float64Array,
  firstStep: number,
  xNew: Float64Array,
  gNew: Float64Array,
): number | undefined {
  const evaluate = (a: number): [number, number] => {
    for (let i = 0; i < x.length; i++) xNew[i] = x[i]! + a * d[i]!;
    const v = objective(xNew, gNew);
    return [Number.isFinite(v) ? v : Infinity, dot(gNew, d)];
  };
  const armijo = (a: number, v: number) => v <= f0 + C1 * a * slope0;
  const curvature = (dv: number) => Math.abs(dv) <= -C2 * slope0;

  let aPrev = 0;
  let fPrev = f0;
  let dPrev = slope0;
  let a = firstStep;
  for (let i = 0; i < MAX_BRACKET; i++) {
    const [fa, da] = evaluate(a);
    if (!armijo(a, fa) || (i > 0 && fa >= fPrev)) return zoom(aPrev, fPrev, dPrev, a, fa, da);
    if (curvature(da)) return fa;
    if (da >= 0) return zoom(a, fa, da, aPrev, fPrev, dPrev);
    aPrev = a;
    fPrev = fa;
    dPrev = da;
    a *= 4;
  }
  return undefined;

  function zoom(lo: number, fLo: number, dLo: number, hi: number, fHi: number, dHi: number): number | undefined {
    for (let i = 0; i < MAX_ZOOM; i++) {
      const a = interpolate(lo, fLo, dLo, hi, fHi, dHi);
      if (Math.abs(hi - lo) <= 1e-16 * Math.max(Math.abs(lo), Math.abs(hi))) break;
      const [fa, da] = evaluate(a);
      if (!armijo(a, fa) || fa >= fLo) {
        hi = a;
        fHi = fa;
        dHi = da;
      } else {
        if (curvature(da)) return fa;
        if (da * (hi - lo) >= 0) {
          hi = lo;
          fHi = fLo;
          dHi = dLo;
        }
        lo = a;
        fLo = fa;
        dLo = da;
      }
    }
    // No Wolfe point; settle for the best sufficient decrease found, if any.
    if (lo > 0 && fLo < f0) return evaluate(lo)[0];
    return undefined;
  }
}

/** Minimiser of the cubic through both ends, kept inside the middle 80% of the bracket. */
function interpolate(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const margin = 0.1 * (hi - lo);
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  if (Number.isFinite(fb) && disc >= 0) {
    const d2 = Math.sign(b - a) * Math.sqrt(disc);
    const t = b - ((b - a) * (db + d2 - d1)) / (db - da + 2 * d2);
    if (Number.isFinite(t) && t >= lo + margin && t <= hi - margin) return t;
  }
  return (lo + hi) / 2;
}
