/**
 * Every difference between two runs on the same examples, each with a paired bootstrap interval
 * stratified by the true class (every resample keeps each class's count): accuracy, macro-F1,
 * ROC-AUC, PR-AUC, log loss, Brier, and each class's precision, recall and F1.
 *
 * Two resampling paths, each exact in distribution for what it measures:
 * - Decisions (accuracy, macro-F1, per-class precision / recall / F1) depend only on how many
 *   examples fall in each cell (true class, champion's class, challenger's class). A stratified
 *   resample of the m examples of one class puts Multinomial(m, cell size / m) examples in each of
 *   its cells, so those are drawn directly (multinomial.ts): O(cells that hold examples + k²) per
 *   resample, whatever n.
 * - Probability metrics (ROC-AUC, PR-AUC, log loss, Brier) need per-example draws: each resample
 *   draws, per class, m indexes among its members. The losses are means, so each draw adds its
 *   example's difference (exact). The AUCs are recomputed from the draw counts with one pass per
 *   ranking up to `exactUpTo` examples; above, each draw adds its example's influence on them (their
 *   first-order expansion; tested against the recomputation), so a resample is one draw per example.
 * The two paths use their own generators seeded from `seed`, so reruns reproduce every number.
 */

import { mulberry32 } from '../mining/top-k';
import { aucRanking, type AucRanking } from './auc';
import { sortedQuantile } from './bootstrap';
import { checkRun, exampleBrier, exampleLogLoss, predictions } from './metrics';
import { multinomialInto } from './multinomial';

export type DifferenceMetric =
  'accuracy' | 'macroF1' | 'rocAuc' | 'prAuc' | 'logLoss' | 'brier' | 'precision' | 'recall' | 'f1';

export const OVERALL_DIFFERENCE_METRICS = ['accuracy', 'macroF1', 'rocAuc', 'prAuc', 'logLoss', 'brier'] as const;
export const CLASS_DIFFERENCE_METRICS = ['precision', 'recall', 'f1'] as const;

export interface Difference {
  metric: DifferenceMetric;
  /** The class of a per-class metric; null for the overall ones. */
  cls: number | null;
  champion: number | null;
  challenger: number | null;
  /** challenger − champion; null where either is undefined. */
  diff: number | null;
  /** Percentile interval of diff over the resamples where it is defined. */
  lo: number | null;
  hi: number | null;
  /** Resamples that defined the difference (a class's precision needs a prediction of the class). */
  samples: number;
  /** False for the losses (log loss, Brier): a positive diff means the challenger is worse. */
  higherIsBetter: boolean;
}

export interface DifferenceOptions {
  samples?: number;
  seed?: number;
  confidence?: number;
  /** Each run's decisions (class per example) instead of its argmax, e.g. at its own threshold. */
  decisionsA?: Int32Array;
  decisionsB?: Int32Array;
  /**
   * Up to this many examples, ROC-AUC and PR-AUC are recomputed on every resample (one pass per
   * ranking); above it, a resample's difference is the full-data one plus each drawn example's
   * influence (the statistics' first-order expansion in the resample's counts, whose neglected
   * term shrinks as 1/n), so a resample costs one draw per example for every probability metric.
   */
  exactUpTo?: number;
}

/** Above this many examples the AUC differences are resampled through their influence (see `exactUpTo`). */
export const EXACT_UP_TO = 20_000;

/** A safe-integer seed folded into 32 bits, xor a per-path constant so the two paths draw apart. */
function stateOf(seed: number, salt: number): number {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 0x100000000) >>> 0;
  return (lo ^ Math.imul(hi, 0x9e3779b1) ^ salt) >>> 0;
}

/** Accuracy, macro-F1 and per-class precision / recall / F1 of a flat k × k confusion (null where undefined). */
function confusionMetrics(conf: ArrayLike<number>, k: number, out: Float64Array): void {
  // out layout: [accuracy, macroF1, then per class precision, recall, f1]; NaN = undefined
  let total = 0;
  let correct = 0;
  let f1Sum = 0;
  let f1Classes = 0;
  for (let c = 0; c < k; c++) {
    let support = 0;
    let predicted = 0;
    for (let j = 0; j < k; j++) {
      support += conf[c * k + j]!;
      predicted += conf[j * k + c]!;
    }
    const tp = conf[c * k + c]!;
    total += support;
    correct += tp;
    out[2 + c * 3] = predicted > 0 ? tp / predicted : NaN;
    out[3 + c * 3] = support > 0 ? tp / support : NaN;
    const f1 = support + predicted > 0 ? (2 * tp) / (support + predicted) : NaN;
    out[4 + c * 3] = f1;
    if (support + predicted > 0) {
      f1Sum += f1;
      f1Classes++;
    }
  }
  out[0] = total > 0 ? correct / total : NaN;
  out[1] = f1Classes > 0 ? f1Sum / f1Classes : NaN;
}

/** Both runs' AUC and average precision over one ranking with integer weights (stratified: totals fixed). */
function weightedAucAp(r: AucRanking, weight: Int32Array, positives: number, total: number, out: Float64Array) {
  const { order, positive, groupEnd } = r;
  const n = order.length;
  let u = 0;
  let ap = 0;
  let negBelow = 0;
  let allBelow = 0;
  let gp = 0;
  let gn = 0;
  for (let j = 0; j < n; j++) {
    const w = weight[order[j]!]!;
    const wp = w * positive[j]!;
    gp += wp;
    gn += w - wp;
    if (groupEnd[j] === 1) {
      u += gp * (negBelow + gn / 2);
      // precision at this score, counting from the top: the positives and examples at or above it
      if (gp > 0) ap += gp * ((positives - (allBelow - negBelow)) / (total - allBelow));
      negBelow += gn;
      allBelow += gp + gn;
      gp = 0;
      gn = 0;
    }
  }
  out[0] = positives > 0 && negBelow > 0 ? u / (positives * negBelow) : NaN;
  out[1] = positives > 0 ? ap / positives : NaN;
}

/**
 * Each example's influence on one column's AUC and average precision (out[2i], out[2i + 1]): the
 * derivative of the statistic in the example's weight at unit weights, under a stratified resample
 * (the column's positives and the total fixed). AUC: a positive's share of negatives below it (ties
 * ½), a negative's share of positives above it, over P·N. Average precision Σ_g gp·TPₐ/ALLₐ / P
 * (TPₐ, ALLₐ: positives and examples at or above group g): a positive adds its precision and, like a
 * negative, changes TPₐ and ALLₐ of every group at or below its score.
 */
function influence(r: AucRanking, positives: number, total: number, out: Float64Array): void {
  const { order, positive, groupEnd } = r;
  const n = order.length;
  const negatives = total - positives;
  const pq = positives * negatives;
  let posBelow = 0;
  let negBelow = 0;
  let cumA = 0;
  let cumB = 0;
  let start = 0;
  let gp = 0;
  let gn = 0;
  for (let j = 0; j < n; j++) {
    if (positive[j] === 1) gp++;
    else gn++;
    if (groupEnd[j] !== 1) continue;
    const tpAbove = positives - posBelow;
    const allAbove = total - posBelow - negBelow;
    if (gp > 0) {
      cumA += (gp * (allAbove - tpAbove)) / (allAbove * allAbove);
      cumB += (gp * tpAbove) / (allAbove * allAbove);
    }
    const precision = tpAbove / allAbove;
    const posAbove = positives - posBelow - gp;
    for (let x = start; x <= j; x++) {
      const i = order[x]!;
      if (positive[x] === 1) {
        out[i * 2] = pq > 0 ? (negBelow + gn / 2) / pq : 0;
        out[i * 2 + 1] = positives > 0 ? (precision + cumA) / positives : 0;
      } else {
        out[i * 2] = pq > 0 ? (posAbove + gp / 2) / pq : 0;
        out[i * 2 + 1] = positives > 0 ? -cumB / positives : 0;
      }
    }
    posBelow += gp;
    negBelow += gn;
    gp = 0;
    gn = 0;
    start = j + 1;
  }
}

/** The AUC columns of one run and each column's positive class: column 1 for k = 2, each class for k > 2. */
function columnsOf(k: number): { col: number; cls: number }[] {
  return k === 2 ? [{ col: 1, cls: 1 }] : Array.from({ length: k }, (_, c) => ({ col: c, cls: c }));
}

/**
 * Every difference challenger − champion (see the module comment) with its stratified paired
 * percentile interval. Throws a RangeError on invalid runs (see `classificationReport`), samples not
 * a positive integer, confidence outside (0, 1) or a seed that is not a safe integer.
 */
export function pairedDifferences(
  truth: Int32Array,
  champion: ArrayLike<number>,
  challenger: ArrayLike<number>,
  k: number,
  opts: DifferenceOptions = {},
): Difference[] {
  const n = checkRun(truth, champion, k, 'champion');
  checkRun(truth, challenger, k, 'challenger');
  const samples = opts.samples ?? 1000;
  if (!Number.isInteger(samples) || samples < 1)
    throw new RangeError(`samples must be a positive integer, got ${samples}`);
  const confidence = opts.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const seed = opts.seed ?? 1;
  const pa = opts.decisionsA ?? predictions(champion, n, k);
  const pb = opts.decisionsB ?? predictions(challenger, n, k);
  if (pa.length !== n || pb.length !== n) throw new RangeError('one decision per example is needed');

  // --- decisions: cells (truth, champion's class, challenger's class) ---
  // Only the cells that hold examples, grouped by true class: at most min(n, k³) of them, so many
  // classes cost no more than the examples do.
  const kk = k * k;
  const cellIndex = new Map<number, number>();
  const keys: number[] = [];
  const sizesList: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = truth[i]! * kk + pa[i]! * k + pb[i]!;
    let c = cellIndex.get(key);
    if (c === undefined) {
      c = keys.length;
      cellIndex.set(key, c);
      keys.push(key);
      sizesList.push(0);
    }
    sizesList[c]!++;
  }
  const byKey = keys.map((key, c) => ({ key, size: sizesList[c]! })).sort((x, y) => x.key - y.key);
  const cellKey = Int32Array.from(byKey, (c) => c.key);
  const sizes = Float64Array.from(byKey, (c) => c.size);
  const strataStart = new Int32Array(k + 1);
  for (const key of cellKey) strataStart[Math.floor(key / kk) + 1]!++;
  for (let t = 0; t < k; t++) strataStart[t + 1]! += strataStart[t]!;
  const width = 2 + 3 * k;
  const pointA = new Float64Array(width);
  const pointB = new Float64Array(width);
  const confA = new Float64Array(kk);
  const confB = new Float64Array(kk);
  const fill = (r: ArrayLike<number>) => {
    confA.fill(0);
    confB.fill(0);
    for (let c = 0; c < cellKey.length; c++) {
      const key = cellKey[c]!;
      const t = Math.floor(key / kk);
      const a = Math.floor((key - t * kk) / k);
      const b = key - t * kk - a * k;
      confA[t * k + a]! += r[c]!;
      confB[t * k + b]! += r[c]!;
    }
  };
  fill(sizes);
  confusionMetrics(confA, k, pointA);
  confusionMetrics(confB, k, pointB);
  const decisionDiffs = Array.from({ length: width }, () => new Float64Array(samples));
  const decisionDefined = new Int32Array(width);
  if (n > 0) {
    const next = mulberry32(stateOf(seed, 0x5bd1e995));
    const drawn = new Float64Array(cellKey.length);
    const ra = new Float64Array(width);
    const rb = new Float64Array(width);
    for (let s = 0; s < samples; s++) {
      for (let t = 0; t < k; t++) {
        const from = strataStart[t]!;
        const to = strataStart[t + 1]!;
        if (to > from) multinomialInto(next, sizes.subarray(from, to), drawn.subarray(from, to));
      }
      fill(drawn);
      confusionMetrics(confA, k, ra);
      confusionMetrics(confB, k, rb);
      for (let j = 0; j < width; j++) {
        const d = rb[j]! - ra[j]!;
        if (!Number.isNaN(d)) decisionDiffs[j]![decisionDefined[j]!++] = d;
      }
    }
  }

  // --- probabilities: per-example counts, stratified by class ---
  const lossA = new Float64Array(n);
  const lossB = new Float64Array(n);
  const brierD = new Float64Array(n);
  let pointLossA = 0;
  let pointLossB = 0;
  let pointBrierA = 0;
  let pointBrierB = 0;
  for (let i = 0; i < n; i++) {
    lossA[i] = exampleLogLoss(truth, champion, k, i);
    lossB[i] = exampleLogLoss(truth, challenger, k, i);
    const ba = exampleBrier(truth, champion, k, i);
    const bb = exampleBrier(truth, challenger, k, i);
    brierD[i] = bb - ba;
    pointLossA += lossA[i]!;
    pointLossB += lossB[i]!;
    pointBrierA += ba;
    pointBrierB += bb;
  }
  const lossD = lossA.map((a, i) => lossB[i]! - a);
  const support = new Int32Array(k);
  for (let i = 0; i < n; i++) support[truth[i]!]!++;
  const columns = columnsOf(k).filter(({ cls }) => support[cls]! > 0);
  const aucColumns = columns.filter(({ cls }) => support[cls]! < n);
  const rankA = columns.map(({ col, cls }) => aucRanking(truth, champion, k, col, cls));
  const rankB = columns.map(({ col, cls }) => aucRanking(truth, challenger, k, col, cls));
  const probDiffs = Array.from({ length: 4 }, () => new Float64Array(samples)); // rocAuc, prAuc, logLoss, brier
  const probDefined = new Int32Array(4);
  // the full-data AUCs from the rankings with unit weights (the report's values; no second sort)
  const ones = new Int32Array(n).fill(1);
  const point = (ranks: AucRanking[]) => {
    const pair = new Float64Array(2);
    let auc = 0;
    let ap = 0;
    columns.forEach((c, j) => {
      weightedAucAp(ranks[j]!, ones, support[c.cls]!, n, pair);
      if (aucColumns.includes(c)) auc += pair[0]!;
      ap += pair[1]!;
    });
    return {
      auc: aucColumns.length > 0 ? auc / aucColumns.length : null,
      ap: columns.length > 0 ? ap / columns.length : null,
    };
  };
  const pa2 = point(rankA);
  const pb2 = point(rankB);
  const rocA = pa2.auc;
  const rocB = pb2.auc;
  const apA = pa2.ap;
  const apB = pb2.ap;
  if (n > 0) {
    const next = mulberry32(stateOf(seed, 0));
    const strata: Int32Array[] = [];
    {
      const groups: number[][] = Array.from({ length: k }, () => []);
      for (let i = 0; i < n; i++) groups[truth[i]!]!.push(i);
      for (const g of groups) if (g.length > 0) strata.push(Int32Array.from(g));
    }
    const exact = n <= (opts.exactUpTo ?? EXACT_UP_TO);
    // Per example, what one draw of it adds to each resampled difference: log loss and Brier (means:
    // exact), and on the linearised path the AUC and average-precision influence of the example.
    const per = new Float64Array(n * 4);
    for (let i = 0; i < n; i++) {
      per[i * 4] = lossD[i]! / n;
      per[i * 4 + 1] = brierD[i]! / n;
    }
    let aucOffset = 0;
    let apOffset = 0;
    if (!exact) {
      const psi = new Float64Array(n * 2);
      const add = (r: AucRanking, positives: number, sign: number, auc: boolean) => {
        influence(r, positives, n, psi);
        for (let i = 0; i < n; i++) {
          if (auc) per[i * 4 + 2]! += (sign * psi[i * 2]!) / aucColumns.length;
          per[i * 4 + 3]! += (sign * psi[i * 2 + 1]!) / columns.length;
        }
      };
      for (let j = 0; j < columns.length; j++) {
        const positives = support[columns[j]!.cls]!;
        const auc = aucColumns.includes(columns[j]!);
        add(rankA[j]!, positives, -1, auc);
        add(rankB[j]!, positives, 1, auc);
      }
      // a resample's difference is the full-data one plus Σ (draws − 1)·influence
      for (let i = 0; i < n; i++) {
        aucOffset += per[i * 4 + 2]!;
        apOffset += per[i * 4 + 3]!;
      }
      aucOffset = (rocA !== null && rocB !== null ? rocB - rocA : 0) - aucOffset;
      apOffset = (apA !== null && apB !== null ? apB - apA : 0) - apOffset;
    }
    // Draws scatter into counts (an L2-sized array); the sums are then one sequential pass, which
    // measured about twice as fast as gathering each drawn example's four values at random.
    const count = new Int32Array(n);
    const pair = new Float64Array(2);
    for (let s = 0; s < samples; s++) {
      count.fill(0);
      for (const members of strata) {
        const m = members.length;
        const limit = 0x100000000 - (0x100000000 % m);
        for (let j = 0; j < m; j++) {
          let u = next();
          while (u >= limit) u = next();
          const i = members[u - Math.floor(u / m) * m]!;
          count[i] = (count[i]! + 1) | 0;
        }
      }
      let sumLoss = 0;
      let sumBrier = 0;
      let sumAuc = 0;
      let sumAp = 0;
      if (exact) {
        for (let i = 0, at = 0; i < n; i++, at += 4) {
          const c = count[i]!;
          sumLoss += c * per[at]!;
          sumBrier += c * per[at + 1]!;
        }
      } else {
        for (let i = 0, at = 0; i < n; i++, at += 4) {
          const c = count[i]!;
          sumLoss += c * per[at]!;
          sumBrier += c * per[at + 1]!;
          sumAuc += c * per[at + 2]!;
          sumAp += c * per[at + 3]!;
        }
      }
      probDiffs[2]![probDefined[2]!++] = sumLoss;
      probDiffs[3]![probDefined[3]!++] = sumBrier;
      if (!exact) {
        if (aucColumns.length > 0) probDiffs[0]![probDefined[0]!++] = aucOffset + sumAuc;
        if (columns.length > 0) probDiffs[1]![probDefined[1]!++] = apOffset + sumAp;
        continue;
      }
      let aucA = 0;
      let aucB = 0;
      let apSumA = 0;
      let apSumB = 0;
      for (let j = 0; j < columns.length; j++) {
        const positives = support[columns[j]!.cls]!;
        const auc = aucColumns.includes(columns[j]!);
        weightedAucAp(rankA[j]!, count, positives, n, pair);
        if (auc) aucA += pair[0]!;
        apSumA += pair[1]!;
        weightedAucAp(rankB[j]!, count, positives, n, pair);
        if (auc) aucB += pair[0]!;
        apSumB += pair[1]!;
      }
      if (aucColumns.length > 0) probDiffs[0]![probDefined[0]!++] = (aucB - aucA) / aucColumns.length;
      if (columns.length > 0) probDiffs[1]![probDefined[1]!++] = (apSumB - apSumA) / columns.length;
    }
  }

  const alpha = (1 - confidence) / 2;
  const row = (
    metric: DifferenceMetric,
    cls: number | null,
    a: number | null,
    b: number | null,
    diffs: Float64Array,
    defined: number,
  ): Difference => {
    const higherIsBetter = metric !== 'logLoss' && metric !== 'brier';
    const diff = a === null || b === null ? null : b - a;
    if (diff === null || defined === 0)
      return { metric, cls, champion: a, challenger: b, diff, lo: null, hi: null, samples: 0, higherIsBetter };
    const sorted = diffs.subarray(0, defined).sort();
    return {
      metric,
      cls,
      champion: a,
      challenger: b,
      diff,
      lo: sortedQuantile(sorted, alpha),
      hi: sortedQuantile(sorted, 1 - alpha),
      samples: defined,
      higherIsBetter,
    };
  };
  const orNull = (x: number) => (Number.isNaN(x) ? null : x);
  const decision = (metric: DifferenceMetric, cls: number | null, j: number) =>
    row(metric, cls, orNull(pointA[j]!), orNull(pointB[j]!), decisionDiffs[j]!, decisionDefined[j]!);
  const mean = (sum: number) => (n > 0 ? sum / n : null);
  const out: Difference[] = [
    decision('accuracy', null, 0),
    decision('macroF1', null, 1),
    row('rocAuc', null, rocA, rocB, probDiffs[0]!, probDefined[0]!),
    row('prAuc', null, apA, apB, probDiffs[1]!, probDefined[1]!),
    row('logLoss', null, mean(pointLossA), mean(pointLossB), probDiffs[2]!, probDefined[2]!),
    row('brier', null, mean(pointBrierA), mean(pointBrierB), probDiffs[3]!, probDefined[3]!),
  ];
  for (let c = 0; c < k; c++) {
    out.push(decision('precision', c, 2 + c * 3), decision('recall', c, 3 + c * 3), decision('f1', c, 4 + c * 3));
  }
  return out;
}
