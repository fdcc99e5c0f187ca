/**
 * Rank-based ROC AUC (the Mann–Whitney U statistic divided by P · N): the probability that a random
 * positive scores above a random negative, a tie counting 1/2. Two forms:
 * - `aucOneVsRest`: one column of a probability matrix, unit weights, two native typed-array sorts
 *   (no comparator) and a merge: the fast path for a report on a million rows.
 * - `AucRanking` + `weightedAuc`: the examples sorted once by score, then any number of passes with
 *   integer weights (bootstrap counts) in O(n) each, so a resample never sorts.
 */

/**
 * AUC of column `col` of the n × k matrix `probs` as a score for `truth[i] === cls`, unit weights.
 * Null when the positives or the negatives are missing. Scores are assumed free of NaN.
 */
export function aucOneVsRest(
  truth: Int32Array,
  probs: ArrayLike<number>,
  k: number,
  col: number,
  cls: number,
): number | null {
  const n = truth.length;
  let p = 0;
  for (let i = 0; i < n; i++) if (truth[i] === cls) p++;
  const q = n - p;
  if (p === 0 || q === 0) return null;
  const pos = new Float64Array(p);
  const neg = new Float64Array(q);
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    const s = probs[i * k + col]!;
    if (truth[i] === cls) pos[a++] = s;
    else neg[b++] = s;
  }
  pos.sort();
  neg.sort();
  // Walk the distinct positive scores upwards; `below` counts the negatives strictly below the
  // current one and only moves forward, so the merge is linear.
  let u = 0;
  let below = 0;
  for (let a = 0; a < p;) {
    const s = pos[a]!;
    let end = a + 1;
    while (end < p && pos[end] === s) end++;
    while (below < q && neg[below]! < s) below++;
    let equal = below;
    while (equal < q && neg[equal] === s) equal++;
    u += (end - a) * (below + (equal - below) / 2);
    a = end;
  }
  return u / (p * q);
}

/** The examples in ascending score order, with the tie groups marked, for one class against the rest. */
export interface AucRanking {
  /** Example indexes sorted by score (ties in index order; the order inside a tie never matters). */
  order: Int32Array;
  /** 1 at position j when order[j] is a positive (truth === the class). */
  positive: Uint8Array;
  /** 1 at position j when order[j] ends its tie group (the next score is larger, or j is last). */
  groupEnd: Uint8Array;
}

const INDEX_BITS = 2 ** 21;

/**
 * Example indexes by ascending score, ties in index order. Scores that are all float32 values ≥ 0
 * (what the store keeps) sort as one native Float64Array of keys bits·2²¹ + index, exact below 2²¹
 * examples (a float32's bits grow with its value when it is not negative), several times faster than
 * a comparator; anything else falls back to the comparator.
 */
function ascendingOrder(score: Float64Array): Int32Array {
  const n = score.length;
  const order = new Int32Array(n);
  const f32 = new Float32Array(1);
  const bits = new Uint32Array(f32.buffer);
  let packable = n <= INDEX_BITS;
  const keys = packable ? new Float64Array(n) : null;
  for (let i = 0; i < n && packable; i++) {
    const s = score[i]! + 0; // −0 → +0: the sign bit would sort it last
    f32[0] = s;
    if (!(s >= 0) || f32[0] !== s) packable = false;
    else keys![i] = bits[0]! * INDEX_BITS + i;
  }
  if (packable) {
    keys!.sort();
    for (let j = 0; j < n; j++) order[j] = keys![j]! % INDEX_BITS;
    return order;
  }
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort((a, b) => score[a]! - score[b]! || a - b);
}

/** Sorts the examples once by column `col` of `probs`, positives being `truth[i] === cls`. */
export function aucRanking(
  truth: Int32Array,
  probs: ArrayLike<number>,
  k: number,
  col: number,
  cls: number,
): AucRanking {
  const n = truth.length;
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) score[i] = probs[i * k + col]!;
  const order = ascendingOrder(score);
  const positive = new Uint8Array(n);
  const groupEnd = new Uint8Array(n);
  for (let j = 0; j < n; j++) {
    const i = order[j]!;
    positive[j] = truth[i] === cls ? 1 : 0;
    groupEnd[j] = j === n - 1 || score[order[j + 1]!] !== score[i] ? 1 : 0;
  }
  return { order, positive, groupEnd };
}

/**
 * AUC over a ranking where example i counts `weight[i]` times (a bootstrap resample): within a tie
 * group every positive beats the weighted negatives below the group and ties half of the group's
 * negatives. Null when the weighted positives or negatives are zero. O(n), no allocation.
 */
export function weightedAuc(r: AucRanking, weight: Int32Array): number | null {
  const { order, positive, groupEnd } = r;
  const n = order.length;
  let u = 0;
  let negBelow = 0;
  let gp = 0;
  let gn = 0;
  let totalP = 0;
  for (let j = 0; j < n; j++) {
    // branch-free: the labels are in random order, a branch on them would mispredict half the time
    const w = weight[order[j]!]!;
    const wp = w * positive[j]!;
    gp += wp;
    gn += w - wp;
    if (groupEnd[j] === 1) {
      u += gp * (negBelow + gn / 2);
      negBelow += gn;
      totalP += gp;
      gp = 0;
      gn = 0;
    }
  }
  return totalP > 0 && negBelow > 0 ? u / (totalP * negBelow) : null;
}

/**
 * Average precision of column `col` as a score for `truth[i] === cls` (the area under the
 * precision–recall curve as scikit-learn's `average_precision_score` computes it: Σ (Rₙ − Rₙ₋₁)·Pₙ
 * over the distinct scores, highest first, tied scores taken together). Null without positives.
 */
export function averagePrecision(
  truth: Int32Array,
  probs: ArrayLike<number>,
  k: number,
  col: number,
  cls: number,
): number | null {
  const n = truth.length;
  let positives = 0;
  for (let i = 0; i < n; i++) if (truth[i] === cls) positives++;
  if (positives === 0) return null;
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) scores[i] = probs[i * k + col]!;
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let tp = 0;
  let recallBefore = 0;
  let ap = 0;
  for (let a = 0; a < n;) {
    const s = scores[order[a]!]!;
    let b = a;
    while (b < n && scores[order[b]!] === s) {
      if (truth[order[b]!] === cls) tp++;
      b++;
    }
    const recall = tp / positives;
    ap += (recall - recallBefore) * (tp / b);
    recallBefore = recall;
    a = b;
  }
  return ap;
}
