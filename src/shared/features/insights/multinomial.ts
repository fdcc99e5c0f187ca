/**
 * Exact binomial and multinomial draws from a 32-bit generator, for bootstraps that resample counts
 * in cells instead of examples: m draws with replacement among m examples put Multinomial(m, size of
 * each cell / m) examples in each cell, whatever the examples are, so a resample of a confusion
 * table costs O(cells) instead of O(m).
 */

/** A uniform double in (0, 1) with 53 random bits, from two 32-bit draws. */
export function uniform53(next: () => number): number {
  const hi = next() >>> 5; // 27 bits
  const lo = next() >>> 6; // 26 bits
  return (hi * 67108864 + lo + 0.5) / 9007199254740992;
}

const LOG_FACTORIAL_TABLE = (() => {
  const t = new Float64Array(256);
  for (let i = 2; i < 256; i++) t[i] = t[i - 1]! + Math.log(i);
  return t;
})();

/** ln(x!) for an integer x ≥ 0: a table below 256, Stirling's series (error below 1e-17 relative) above. */
export function logFactorial(x: number): number {
  if (x < 256) return LOG_FACTORIAL_TABLE[x]!;
  const inv = 1 / x;
  const inv2 = inv * inv;
  return x * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI * x) + inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260)));
}

/**
 * One Binomial(n, p) draw, exact up to floating point: inversion of the distribution function,
 * searched from 0 when the mean is small and outward from the mode otherwise (expected O(√(npq))
 * steps), with p folded to ≤ ½. A search that runs off the support by rounding draws again.
 */
export function binomial(next: () => number, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(next, n, 1 - p);
  const q = 1 - p;
  const ratio = p / q;
  for (;;) {
    let u = uniform53(next);
    if (n * p < 16) {
      let f = Math.exp(n * Math.log1p(-p));
      for (let x = 0; x <= n; x++) {
        if (u <= f) return x;
        u -= f;
        f *= ((n - x) / (x + 1)) * ratio;
      }
      continue;
    }
    const mode = Math.floor((n + 1) * p);
    const fMode = Math.exp(
      logFactorial(n) - logFactorial(mode) - logFactorial(n - mode) + mode * Math.log(p) + (n - mode) * Math.log1p(-p),
    );
    u -= fMode;
    if (u <= 0) return mode;
    let lo = mode;
    let hi = mode;
    let fLo = fMode;
    let fHi = fMode;
    while (lo > 0 || hi < n) {
      if (lo > 0) {
        fLo *= lo / (n - lo + 1) / ratio;
        lo--;
        u -= fLo;
        if (u <= 0) return lo;
      }
      if (hi < n) {
        fHi *= ((n - hi) / (hi + 1)) * ratio;
        hi++;
        u -= fHi;
        if (u <= 0) return hi;
      }
    }
  }
}

/**
 * Multinomial(m, sizes / m) into `out` (m = Σ sizes): how many of m draws with replacement among the
 * m members fall in each cell, cells of size 0 getting 0. Conditional binomials, cell after cell.
 */
export function multinomialInto(next: () => number, sizes: ArrayLike<number>, out: Float64Array | Int32Array): void {
  let left = 0;
  for (let j = 0; j < sizes.length; j++) left += sizes[j]!;
  let draws = left;
  for (let j = 0; j < sizes.length; j++) {
    const size = sizes[j]!;
    if (size === 0 || draws === 0) {
      out[j] = 0;
    } else if (size === left) {
      out[j] = draws;
      draws = 0;
    } else {
      const x = binomial(next, draws, size / left);
      out[j] = x;
      draws -= x;
    }
    left -= size;
  }
}
