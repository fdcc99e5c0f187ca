/**
 * Cold start: until the learner has a few labels of every class, uncertainty is noise (and known to
 * do worse than random), so the first items are typical and diverse instead: the row nearest the
 * centre, then farthest-point (k-center greedy) picks over the representation.
 */
import type { Design } from './design';

export interface KCenterOptions {
  /**
   * 'cosine' (default): rows are L2-normalised, distance 1 − cos (the same order as Euclidean
   * distance between normalised rows). 'euclidean': distance between the rows as they are.
   */
  metric?: 'cosine' | 'euclidean';
}

/** Dot products of every row with a dense vector. */
function dots(x: Design, v: Float64Array, out: Float64Array): void {
  if (x.kind === 'dense') {
    for (let r = 0; r < x.rows; r++) {
      let s = 0;
      const base = r * x.dim;
      for (let j = 0; j < x.dim; j++) s += x.values[base + j]! * v[j]!;
      out[r] = s;
    }
    return;
  }
  for (let r = 0; r < x.rows; r++) {
    let s = 0;
    for (let e = x.indptr[r]!; e < x.indptr[r + 1]!; e++) s += x.values[e]! * v[x.indices[e]!]!;
    out[r] = s;
  }
}

/** Row r as a dense vector (scaled), into v. */
function rowInto(x: Design, r: number, scale: number, v: Float64Array): void {
  v.fill(0);
  if (x.kind === 'dense') {
    for (let j = 0; j < x.dim; j++) v[j] = x.values[r * x.dim + j]! * scale;
  } else {
    for (let e = x.indptr[r]!; e < x.indptr[r + 1]!; e++) v[x.indices[e]!]! += x.values[e]! * scale;
  }
}

/**
 * k row indices, in the order picked: first the most typical row (nearest the mean), then each time
 * the row farthest from all picked so far. Deterministic: ties go to the lower row. Cost is
 * O(k · rows · dim): pass a sample of a large pool (selectRows) and map the indices back.
 */
export function kCenterGreedy(x: Design, k: number, options: KCenterOptions = {}): Int32Array {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be a whole number ≥ 0, got ${k}`);
  const cosine = (options.metric ?? 'cosine') === 'cosine';
  const n = x.rows;
  const picks = Math.min(k, n);
  const out = new Int32Array(picks);
  if (picks === 0) return out;

  // Squared norms, and each row's scale: 1/‖row‖ for cosine (a zero row stays zero), 1 otherwise.
  const sq = new Float64Array(n);
  if (x.kind === 'dense') {
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let j = 0; j < x.dim; j++) s += x.values[r * x.dim + j]! ** 2;
      sq[r] = s;
    }
  } else {
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let e = x.indptr[r]!; e < x.indptr[r + 1]!; e++) s += x.values[e]! ** 2;
      sq[r] = s;
    }
  }
  const scale = Float64Array.from(sq, (s) => (cosine ? (s > 0 ? 1 / Math.sqrt(s) : 0) : 1));
  const norm2 = Float64Array.from(sq, (s, r) => s * scale[r]! * scale[r]!);
  const distanceTo = (d: Float64Array, r: number, centreNorm2: number) =>
    // ‖a − c‖² = ‖a‖² + ‖c‖² − 2a·c over the scaled rows; for unit rows that is 2(1 − cos).
    Math.max(0, norm2[r]! + centreNorm2 - 2 * scale[r]! * d[r]!);

  const centre = new Float64Array(x.dim);
  const d = new Float64Array(n);
  // The mean of the (scaled) rows; the most typical row is the one nearest it.
  const row = new Float64Array(x.dim);
  for (let r = 0; r < n; r++) {
    rowInto(x, r, scale[r]! / n, row);
    for (let j = 0; j < x.dim; j++) centre[j]! += row[j]!;
  }
  let meanNorm2 = 0;
  for (let j = 0; j < x.dim; j++) meanNorm2 += centre[j]! ** 2;
  dots(x, centre, d);
  let first = 0;
  let best = Infinity;
  for (let r = 0; r < n; r++) {
    const dist = cosine ? -(scale[r]! * d[r]!) : distanceTo(d, r, meanNorm2);
    if (dist < best) {
      best = dist;
      first = r;
    }
  }

  const nearest = new Float64Array(n).fill(Infinity);
  const taken = new Uint8Array(n);
  let pick = first;
  for (let i = 0; i < picks; i++) {
    out[i] = pick;
    taken[pick] = 1;
    rowInto(x, pick, scale[pick]!, centre);
    dots(x, centre, d);
    const cn2 = norm2[pick]!;
    let far = -1;
    let farthest = -Infinity;
    for (let r = 0; r < n; r++) {
      const dist = Math.min(nearest[r]!, r === pick ? 0 : distanceTo(d, r, cn2));
      nearest[r] = dist;
      if (!taken[r] && dist > farthest) {
        farthest = dist;
        far = r;
      }
    }
    pick = far;
  }
  return out;
}

/** Whether the learner should still pick by typicality and diversity: some class has too few labels. */
export function needsColdStart(labelCountsPerClass: ArrayLike<number>, minPerClass = 5): boolean {
  for (let c = 0; c < labelCountsPerClass.length; c++) if (labelCountsPerClass[c]! < minPerClass) return true;
  return false;
}
