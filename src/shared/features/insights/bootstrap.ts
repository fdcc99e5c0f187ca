/**
 * Champion vs challenger on the same curated examples: a paired percentile bootstrap of the
 * difference of one metric, and the quality-gate rule built on it.
 *
 * Paired: every resample draws n example indexes with replacement and scores BOTH runs on that same
 * resample, so the per-example correlation between the runs (they mostly agree) cancels out of the
 * difference and the interval is much tighter than two independent intervals would suggest.
 *
 Count-based resampling: a resample is stored as how many times each example was drawn (n draws
 * from mulberry32 into one reused Int32Array), and every metric is a weighted pass over the examples
 * in index order: sequential reads, no gather through a list of drawn indexes, nothing allocated.
 * - accuracy, logLoss: both are means of a per-example value, so the difference is Σ wᵢ·dᵢ / n over a
 *   precomputed per-example difference d.
 * - macroF1: the two runs' k × k confusion matrices weighted by the counts, then O(k²).
 * - rocAuc: one O(n) pass per AUC column over rankings sorted once up front (see auc.ts); k > 2 costs
 *   k passes per run.
 */

import { mulberry32 } from '../mining/top-k';
import { aucRanking, weightedAuc, type AucRanking } from './auc';
import { checkRun, exampleBrier, exampleLogLoss, macroF1FromConfusion, predictions, rocAucOf } from './metrics';

export type ComparedMetric = 'accuracy' | 'macroF1' | 'logLoss' | 'brier' | 'rocAuc';

export const COMPARED_METRICS: readonly ComparedMetric[] = ['accuracy', 'macroF1', 'logLoss', 'brier', 'rocAuc'];

export interface Comparison {
  metric: ComparedMetric;
  /** The metric of the champion on all examples; null when undefined (n = 0, or an AUC without both classes). */
  champion: number | null;
  challenger: number | null;
  /**
   * challenger − champion, always in that order. For accuracy, macroF1 and rocAuc a positive diff
   * means the challenger is better; for logLoss (lower is better) a positive diff means it is WORSE.
   */
  diff: number | null;
  /** Percentile bootstrap interval of diff at the requested confidence (default 95%); null without samples. */
  lo: number | null;
  hi: number | null;
  /**
   * Resamples that produced a diff: the requested count, except that a rocAuc resample whose AUC is
   * undefined for either run (it drew no positive or no negative of any class) is dropped. 0 when
   * diff is null.
   */
  samples: number;
}

export interface CompareOptions {
  /** Bootstrap resamples (default 1000). */
  samples?: number;
  /** Safe-integer seed of the resampling (default 1): same inputs and seed give the same numbers. */
  seed?: number;
  /** Two-sided interval level in (0, 1) (default 0.95). */
  confidence?: number;
  /**
   * Resample within each true class (default false): every resample keeps each class's count, so a
   * rare class is never drawn out of a resample and per-class metrics stay defined.
   */
  stratified?: boolean;
}

/** A safe-integer seed folded into the 32-bit generator state (both halves count). */
function seedState(seed: number): number {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 0x100000000) >>> 0;
  return (lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
}

/** Linear-interpolation quantile (numpy's default, "type 7") of an ascending array; q in [0, 1]. */
export function sortedQuantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const a = sorted[lo]!;
  return lo + 1 < sorted.length ? a + (h - lo) * (sorted[lo + 1]! - a) : a;
}

/**
 * One resample: `count[i]` is how many times example i was drawn (the counts sum to n); returns
 * challenger − champion on that resample, or null when the metric is undefined on it.
 */
type Resampler = (count: Int32Array) => number | null;

function accuracyDiffs(truth: Int32Array, a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number): Resampler {
  const pa = predictions(a, n, k);
  const pb = predictions(b, n, k);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = (pb[i] === truth[i] ? 1 : 0) - (pa[i] === truth[i] ? 1 : 0);
  return meanDiff(d);
}

function logLossDiffs(truth: Int32Array, a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number): Resampler {
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = exampleLogLoss(truth, b, k, i) - exampleLogLoss(truth, a, k, i);
  return meanDiff(d);
}

function brierDiffs(truth: Int32Array, a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number): Resampler {
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = exampleBrier(truth, b, k, i) - exampleBrier(truth, a, k, i);
  return meanDiff(d);
}

/**
 * Recall of class `cls` under the resample's weights: Σ w·[predicted cls] / Σ w over the examples of
 * that class; null when the resample holds none of them.
 */
function recallDiffs(
  truth: Int32Array,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  n: number,
  k: number,
  cls: number,
): Resampler {
  const pa = predictions(a, n, k);
  const pb = predictions(b, n, k);
  const members: number[] = [];
  for (let i = 0; i < n; i++) if (truth[i] === cls) members.push(i);
  const d = new Float64Array(members.length);
  members.forEach((i, j) => (d[j] = (pb[i] === cls ? 1 : 0) - (pa[i] === cls ? 1 : 0)));
  return (count) => {
    let sum = 0;
    let w = 0;
    for (let j = 0; j < members.length; j++) {
      const c = count[members[j]!]!;
      sum += c * d[j]!;
      w += c;
    }
    return w > 0 ? sum / w : null;
  };
}

/** A resample's mean of the per-example differences d. */
function meanDiff(d: Float64Array): Resampler {
  const n = d.length;
  return (count) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += count[i]! * d[i]!;
    return sum / n;
  };
}

function macroF1Diffs(truth: Int32Array, a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number): Resampler {
  const pa = predictions(a, n, k);
  const pb = predictions(b, n, k);
  // Flat confusion cell t·k + p of each run per example.
  const cellA = new Int32Array(n);
  const cellB = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    cellA[i] = truth[i]! * k + pa[i]!;
    cellB[i] = truth[i]! * k + pb[i]!;
  }
  // Float64 cells: measured faster than Int32 ones in V8 for this scatter-add; sums of integer
  // counts stay exact up to 2^53.
  const confA = new Float64Array(k * k);
  const confB = new Float64Array(k * k);
  return (count) => {
    confA.fill(0);
    confB.fill(0);
    for (let i = 0; i < n; i++) {
      const w = count[i]!;
      confA[cellA[i]!]! += w;
      confB[cellB[i]!]! += w;
    }
    const fa = macroF1FromConfusion(confA, k);
    const fb = macroF1FromConfusion(confB, k);
    return fa === null || fb === null ? null : fb - fa;
  };
}

/** The AUC columns of one run: column 1 vs class 1 for k = 2, every class one-vs-rest for k > 2. */
function rankings(truth: Int32Array, probs: ArrayLike<number>, k: number): AucRanking[] {
  if (k === 2) return [aucRanking(truth, probs, 2, 1, 1)];
  const out: AucRanking[] = [];
  for (let c = 0; c < k; c++) out.push(aucRanking(truth, probs, k, c, c));
  return out;
}

/** Unweighted mean of the defined AUCs of a run under the resample's weights. */
function meanAuc(runs: AucRanking[], weight: Int32Array): number | null {
  let sum = 0;
  let defined = 0;
  for (const r of runs) {
    const auc = weightedAuc(r, weight);
    if (auc === null) continue;
    sum += auc;
    defined++;
  }
  return defined > 0 ? sum / defined : null;
}

function rocAucDiffs(truth: Int32Array, a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number): Resampler {
  const ra = rankings(truth, a, k);
  const rb = rankings(truth, b, k);
  return (count) => {
    const aa = meanAuc(ra, count);
    const ab = meanAuc(rb, count);
    return aa === null || ab === null ? null : ab - aa;
  };
}

/**
 * One resample into `count`: n = count.length uniform draws of an index in [0, n) with replacement,
 * count[i] = how many times i was drawn. Unbiased: generator values at or above the largest multiple
 * of n below 2^32 are redrawn.
 */
function drawCounts(next: () => number, count: Int32Array): void {
  const n = count.length;
  const limit = 0x100000000 - (0x100000000 % n);
  count.fill(0);
  for (let j = 0; j < n; j++) {
    let u = next();
    while (u >= limit) u = next();
    // u − ⌊u / n⌋·n rather than u % n: the float modulo of a uint32 is ~3× slower in V8, and the
    // division is exact enough (u < 2^32: the quotient is never within rounding of an integer it is not)
    const i = u - Math.floor(u / n) * n;
    count[i] = (count[i]! + 1) | 0; // the int form: V8 runs it faster than ++ on a typed array
  }
}

/** The example indexes of each true class, for stratified draws. */
function strataOf(truth: Int32Array, k: number): Int32Array[] {
  const groups: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < truth.length; i++) groups[truth[i]!]!.push(i);
  return groups.filter((g) => g.length > 0).map((g) => Int32Array.from(g));
}

/** One stratified resample: each stratum of m examples gets m uniform draws among its own members. */
function drawStratifiedCounts(next: () => number, strata: Int32Array[], count: Int32Array): void {
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
}

/** The metric of one run on all examples (validated input). */
function pointMetric(
  truth: Int32Array,
  probs: ArrayLike<number>,
  n: number,
  k: number,
  metric: ComparedMetric,
): number | null {
  if (n === 0) return null;
  switch (metric) {
    case 'accuracy': {
      const p = predictions(probs, n, k);
      let ok = 0;
      for (let i = 0; i < n; i++) if (p[i] === truth[i]) ok++;
      return ok / n;
    }
    case 'logLoss': {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += exampleLogLoss(truth, probs, k, i);
      return sum / n;
    }
    case 'brier': {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += exampleBrier(truth, probs, k, i);
      return sum / n;
    }
    case 'macroF1': {
      const p = predictions(probs, n, k);
      const conf = new Float64Array(k * k);
      for (let i = 0; i < n; i++) conf[truth[i]! * k + p[i]!]!++;
      return macroF1FromConfusion(conf, k);
    }
    case 'rocAuc':
      return rocAucOf(truth, probs, k);
  }
}

/**
 * Paired percentile bootstrap of `metric(challenger) − metric(champion)` on the same examples.
 *
 * Each of `samples` resamples draws n indexes uniformly with replacement (mulberry32 seeded from
 * `seed`, unbiased by rejection), evaluates both runs on it and records the difference; lo / hi are
 * the (1 − confidence)/2 and (1 + confidence)/2 linear-interpolation quantiles of the recorded
 * differences. The draws depend only on n, samples and seed, so every metric sees the same resamples
 * and reruns reproduce the numbers exactly. champion / challenger / diff are on all examples, not
 * bootstrap means. Metric definitions are those of `classificationReport`.
 *
 * Throws a RangeError on invalid runs (see `classificationReport`), an unknown metric, samples not a
 * positive integer, confidence outside (0, 1) or a seed that is not a safe integer.
 */
export function compareRuns(
  truth: Int32Array,
  champion: ArrayLike<number>,
  challenger: ArrayLike<number>,
  k: number,
  metric: ComparedMetric,
  opts?: CompareOptions,
): Comparison {
  const n = checkRun(truth, champion, k, 'champion');
  checkRun(truth, challenger, k, 'challenger');
  if (!COMPARED_METRICS.includes(metric)) throw new RangeError(`unknown metric ${String(metric)}`);
  const [primary] = intervals(truth, k, [primaryPart(truth, champion, challenger, n, k, metric)], opts);
  return { metric, ...primary! };
}

/** Recall of class `cls` of both runs and the paired bootstrap interval of its difference. */
export interface RecallComparison {
  cls: number;
  /** Examples of the class. */
  support: number;
  champion: number | null;
  challenger: number | null;
  diff: number | null;
  lo: number | null;
  hi: number | null;
  samples: number;
}

/**
 * Paired bootstrap of recall(challenger) − recall(champion) for one class, on the same resamples as
 * `compareRuns` with the same options and seed (a stratified resample keeps the class's count, so
 * every resample defines the recall). Same errors as `compareRuns`; also a class index outside 0..k − 1.
 */
export function compareRecall(
  truth: Int32Array,
  champion: ArrayLike<number>,
  challenger: ArrayLike<number>,
  k: number,
  cls: number,
  opts?: CompareOptions,
): RecallComparison {
  const n = checkRun(truth, champion, k, 'champion');
  checkRun(truth, challenger, k, 'challenger');
  if (!Number.isInteger(cls) || cls < 0 || cls >= k) throw new RangeError(`class ${cls} is not in 0..${k - 1}`);
  const part = recallPart(truth, champion, challenger, n, k, cls);
  return { cls, support: part.support, ...intervals(truth, k, [part], opts)[0]! };
}

/**
 * `compareRuns` of the metric and `compareRecall` of every class in one pass over the resamples: the
 * same numbers as the separate calls with the same options (the same draws feed every check), at
 * the cost of one set of draws instead of k + 1.
 */
export function compareWithRecalls(
  truth: Int32Array,
  champion: ArrayLike<number>,
  challenger: ArrayLike<number>,
  k: number,
  metric: ComparedMetric,
  opts?: CompareOptions,
): { primary: Comparison; recalls: RecallComparison[] } {
  const n = checkRun(truth, champion, k, 'champion');
  checkRun(truth, challenger, k, 'challenger');
  if (!COMPARED_METRICS.includes(metric)) throw new RangeError(`unknown metric ${String(metric)}`);
  const recalls = Array.from({ length: k }, (_, c) => recallPart(truth, champion, challenger, n, k, c));
  const [primary, ...rest] = intervals(
    truth,
    k,
    [primaryPart(truth, champion, challenger, n, k, metric), ...recalls],
    opts,
  );
  return {
    primary: { metric, ...primary! },
    recalls: rest.map((r, c) => ({ cls: c, support: recalls[c]!.support, ...r })),
  };
}

/** One quantity to compare: both runs' values on all examples and how to resample their difference. */
interface Part {
  a: number | null;
  b: number | null;
  makeResampler: () => Resampler;
}

function primaryPart(
  truth: Int32Array,
  champion: ArrayLike<number>,
  challenger: ArrayLike<number>,
  n: number,
  k: number,
  metric: ComparedMetric,
): Part {
  const resample = {
    accuracy: accuracyDiffs,
    logLoss: logLossDiffs,
    brier: brierDiffs,
    macroF1: macroF1Diffs,
    rocAuc: rocAucDiffs,
  }[metric];
  return {
    a: pointMetric(truth, champion, n, k, metric),
    b: pointMetric(truth, challenger, n, k, metric),
    makeResampler: () => resample(truth, champion, challenger, n, k),
  };
}

function recallPart(
  truth: Int32Array,
  champion: ArrayLike<number>,
  challenger: ArrayLike<number>,
  n: number,
  k: number,
  cls: number,
): Part & { support: number } {
  const recall = (probs: ArrayLike<number>) => {
    const p = predictions(probs, n, k);
    let support = 0;
    let hit = 0;
    for (let i = 0; i < n; i++) {
      if (truth[i] !== cls) continue;
      support++;
      if (p[i] === cls) hit++;
    }
    return { support, value: support > 0 ? hit / support : null };
  };
  const a = recall(champion);
  const b = recall(challenger);
  return {
    support: a.support,
    a: a.value,
    b: b.value,
    makeResampler: () => recallDiffs(truth, champion, challenger, n, k, cls),
  };
}

type Interval = Omit<Comparison, 'metric'>;

/**
 * The shared resampling loop: for each part its point values, their difference and the percentile
 * interval of the difference over the same resamples. A part whose difference is undefined on all
 * examples gets no resampler and null bounds.
 */
function intervals(truth: Int32Array, k: number, parts: Part[], opts: CompareOptions | undefined): Interval[] {
  const samples = opts?.samples ?? 1000;
  if (!Number.isInteger(samples) || samples < 1) {
    throw new RangeError(`samples must be a positive integer, got ${samples}`);
  }
  const confidence = opts?.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const next = mulberry32(seedState(opts?.seed ?? 1));
  const live = parts.map((p) => (p.a === null || p.b === null ? null : p.makeResampler()));
  const n = truth.length;
  const strata = opts?.stratified ? strataOf(truth, k) : null;
  const count = new Int32Array(n);
  const diffs = live.map((r) => (r ? new Float64Array(samples) : null));
  const m = new Int32Array(parts.length);
  if (live.some((r) => r !== null)) {
    for (let s = 0; s < samples; s++) {
      if (strata) drawStratifiedCounts(next, strata, count);
      else drawCounts(next, count);
      for (let j = 0; j < live.length; j++) {
        const d = live[j]?.(count) ?? null;
        if (d !== null) diffs[j]![m[j]!++] = d;
      }
    }
  }
  const alpha = (1 - confidence) / 2;
  return parts.map((p, j) => {
    const diff = p.a === null || p.b === null ? null : p.b - p.a;
    if (diff === null || m[j] === 0) return { champion: p.a, challenger: p.b, diff, lo: null, hi: null, samples: 0 };
    const sorted = diffs[j]!.subarray(0, m[j]).sort();
    return {
      champion: p.a,
      challenger: p.b,
      diff,
      lo: sortedQuantile(sorted, alpha),
      hi: sortedQuantile(sorted, 1 - alpha),
      samples: m[j]!,
    };
  });
}

/** True when a higher value of the metric is better (all but the losses, logLoss and brier). */
export function higherIsBetter(metric: ComparedMetric): boolean {
  return metric !== 'logLoss' && metric !== 'brier';
}
