/**
 * Where is a model wrong: error rates by slice of the metadata, and automatic slice discovery in
 * the manner of SliceLine (Sagadeeva & Boehm, SIGMOD 2021) over predicates field = value and their
 * conjunctions of two fields.
 *
 * Built for 100k examples × 10 fields: every field's values are encoded once as small ints, every
 * example's loss once as a number, and all counting is over typed arrays (one pass per field, one
 * per pair of fields), never over objects per example.
 */

export type SliceValue = string | number | boolean;

export interface EncodedField {
  name: string;
  /** The distinct values, in order of first appearance. */
  values: SliceValue[];
  /** Per example: the index of its value in `values`, −1 where the field is missing. */
  codes: Int32Array;
}

export interface Predicate {
  field: string;
  value: SliceValue;
}

/** z of a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

/** Wilson score interval of a proportion of k successes in n trials; null for n = 0. */
export function wilson(k: number, n: number, z = Z95): { lo: number; hi: number } | null {
  if (n <= 0) return null;
  if (!(k >= 0 && k <= n)) throw new RangeError(`wilson: k must be in [0, ${n}], got ${k}`);
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { lo: Math.max(0, center - half), hi: Math.min(1, center + half) };
}

/**
 * Normal interval of the mean of paired differences d (each challenger error − champion error):
 * mean ± z·s/√n with s the sample standard deviation; null below 2 examples.
 */
export function pairedMeanInterval(
  sum: number,
  sumSq: number,
  n: number,
  z = Z95,
): { mean: number; lo: number; hi: number } | null {
  if (n < 2) return null;
  const mean = sum / n;
  const variance = Math.max(0, (sumSq - n * mean * mean) / (n - 1));
  const half = z * Math.sqrt(variance / n);
  return { mean, lo: mean - half, hi: mean + half };
}

/** Encodes one field's raw values (a string, number or boolean; anything else is missing). */
export function encodeField(name: string, raw: ArrayLike<unknown>): EncodedField {
  const index = new Map<string, number>();
  const values: SliceValue[] = [];
  const codes = new Int32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i];
    const t = typeof v;
    if (t !== 'string' && t !== 'number' && t !== 'boolean') {
      codes[i] = -1;
      continue;
    }
    // the type is part of the key: 3 and "3" are different values, as they are to the mining filter
    const key = `${t[0]}${String(v)}`;
    let c = index.get(key);
    if (c === undefined) {
      c = values.length;
      index.set(key, c);
      values.push(v as SliceValue);
    }
    codes[i] = c;
  }
  return { name, values, codes };
}

export type SliceMode = 'error' | 'difference';

export interface SliceOptions {
  /**
   * 'error': `loss` is each example's error (0 or 1) of one run, a slice scores by SliceLine's
   * α·(e_s/e − 1) − (1 − α)·(n/|s| − 1). 'difference': `loss` is challenger error − champion error
   * (−1, 0 or 1), a slice scores by its sum: the net extra errors of the challenger there.
   */
  mode: SliceMode;
  /** A slice needs at least this many examples. */
  minSupport: number;
  /** 1: single predicates; 2: also conjunctions of two predicates over different fields. */
  maxDepth: 1 | 2;
  /** SliceLine's weight of the error term against the size term (error mode). */
  alpha: number;
  /** How many slices to return. */
  top: number;
}

export interface FoundSlice {
  predicates: Predicate[];
  n: number;
  /** Σ loss over the slice: errors (error mode) or net extra errors of the challenger. */
  lossSum: number;
  /** Σ loss² (for the interval of a paired difference). */
  lossSqSum: number;
  score: number;
}

export interface SliceSearch {
  /** Examples and Σ loss overall. */
  n: number;
  lossSum: number;
  /** Slices with a positive score, best first. */
  slices: FoundSlice[];
  /** Candidates that met the support (single predicates and pairs) and were scored. */
  evaluated: number;
}

function checkOptions(o: SliceOptions) {
  if (!Number.isInteger(o.minSupport) || o.minSupport < 1)
    throw new RangeError(`minSupport must be a whole number ≥ 1, got ${o.minSupport}`);
  if (o.maxDepth !== 1 && o.maxDepth !== 2) throw new RangeError(`maxDepth is 1 or 2, got ${String(o.maxDepth)}`);
  if (!(o.alpha > 0 && o.alpha <= 1)) throw new RangeError(`alpha must be in (0, 1], got ${o.alpha}`);
  if (!Number.isInteger(o.top) || o.top < 1) throw new RangeError(`top must be a whole number ≥ 1, got ${o.top}`);
}

/** Scores a slice of size m and loss sum s against the whole (n, total). */
export function sliceScore(mode: SliceMode, alpha: number, m: number, s: number, n: number, total: number): number {
  if (mode === 'difference') return s;
  if (total <= 0 || m <= 0) return Number.NEGATIVE_INFINITY;
  return alpha * (s / m / (total / n) - 1) - (1 - alpha) * (n / m - 1);
}

/** Keeps the best `top` by score (ties: the larger slice, then the earlier candidate). */
class TopSlices {
  readonly items: FoundSlice[] = [];
  constructor(private readonly top: number) {}
  offer(s: FoundSlice) {
    if (!(s.score > 0)) return;
    const items = this.items;
    if (items.length === this.top && !better(s, items[items.length - 1]!)) return;
    let at = items.length;
    while (at > 0 && better(s, items[at - 1]!)) at--;
    items.splice(at, 0, s);
    if (items.length > this.top) items.pop();
  }
}

const better = (a: FoundSlice, b: FoundSlice) => a.score > b.score || (a.score === b.score && a.n > b.n);

/** Cells above this count a pair of fields with a Map instead of a dense typed array. */
const DENSE_PAIR_CELLS = 1 << 22;

/**
 * Finds the slices where the loss concentrates: every predicate field = value with at least
 * `minSupport` examples, then (maxDepth 2) every conjunction of two such predicates over different
 * fields with at least `minSupport` examples (a conjunction is never larger than its parts, so
 * values under the support are pruned before pairing) and fewer examples than either part (one
 * equal to a part is that part again). Returns those with a positive score.
 */
export function discoverSlices(fields: readonly EncodedField[], loss: Float64Array, o: SliceOptions): SliceSearch {
  const n = loss.length;
  checkOptions(o);
  for (const f of fields) {
    if (f.codes.length !== n) throw new RangeError(`field ${f.name}: ${f.codes.length} codes for ${n} examples`);
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += loss[i]!;
  const best = new TopSlices(o.top);
  let evaluated = 0;
  const consider = (predicates: Predicate[], m: number, s: number, sq: number) => {
    evaluated++;
    best.offer({ predicates, n: m, lossSum: s, lossSqSum: sq, score: sliceScore(o.mode, o.alpha, m, s, n, total) });
  };

  // Level 1: counts per value; values under the support get code −1 for level 2.
  const kept: { field: EncodedField; compact: Int32Array; values: number[]; counts: number[] }[] = [];
  for (const f of fields) {
    const v = f.values.length;
    const count = new Float64Array(v);
    const sum = new Float64Array(v);
    const sq = new Float64Array(v);
    const codes = f.codes;
    for (let i = 0; i < n; i++) {
      const c = codes[i]!;
      if (c < 0) continue;
      const l = loss[i]!;
      count[c]!++;
      sum[c]! += l;
      sq[c]! += l * l;
    }
    const remap = new Int32Array(v).fill(-1);
    const values: number[] = [];
    for (let c = 0; c < v; c++) {
      if (count[c]! < o.minSupport) continue;
      remap[c] = values.length;
      values.push(c);
      consider([{ field: f.name, value: f.values[c]! }], count[c]!, sum[c]!, sq[c]!);
    }
    if (o.maxDepth === 2 && values.length > 0) {
      const compact = new Int32Array(n);
      for (let i = 0; i < n; i++) compact[i] = codes[i]! < 0 ? -1 : remap[codes[i]!]!;
      kept.push({ field: f, compact, values, counts: values.map((c) => count[c]!) });
    }
  }

  // Level 2: one pass per pair of fields.
  for (let a = 0; a < kept.length; a++) {
    for (let b = a + 1; b < kept.length; b++) {
      const A = kept[a]!;
      const B = kept[b]!;
      const wb = B.values.length;
      const cells = A.values.length * wb;
      const pairs =
        cells <= DENSE_PAIR_CELLS
          ? densePairs(A.compact, B.compact, wb, cells, loss)
          : sparsePairs(A.compact, B.compact, wb, loss);
      for (const [cell, m, s, q] of pairs) {
        if (m < o.minSupport) continue;
        const ia = Math.floor(cell / wb);
        const ib = cell % wb;
        // a conjunction holding exactly the examples of one of its parts says nothing new
        if (m === A.counts[ia] || m === B.counts[ib]) continue;
        const ca = A.values[ia]!;
        const cb = B.values[ib]!;
        consider(
          [
            { field: A.field.name, value: A.field.values[ca]! },
            { field: B.field.name, value: B.field.values[cb]! },
          ],
          m,
          s,
          q,
        );
      }
    }
  }
  return { n, lossSum: total, slices: best.items, evaluated };
}

type PairCount = [cell: number, count: number, sum: number, sq: number];

function* densePairs(a: Int32Array, b: Int32Array, wb: number, cells: number, loss: Float64Array) {
  const count = new Float64Array(cells);
  const sum = new Float64Array(cells);
  const sq = new Float64Array(cells);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x < 0 || y < 0) continue;
    const cell = x * wb + y;
    const l = loss[i]!;
    count[cell]!++;
    sum[cell]! += l;
    sq[cell]! += l * l;
  }
  for (let cell = 0; cell < cells; cell++) {
    if (count[cell]! > 0) yield [cell, count[cell]!, sum[cell]!, sq[cell]!] as PairCount;
  }
}

function* sparsePairs(a: Int32Array, b: Int32Array, wb: number, loss: Float64Array) {
  const acc = new Map<number, PairCount>();
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x < 0 || y < 0) continue;
    const cell = x * wb + y;
    const l = loss[i]!;
    const e = acc.get(cell);
    if (e) {
      e[1]++;
      e[2] += l;
      e[3] += l * l;
    } else acc.set(cell, [cell, 1, l, l * l]);
  }
  yield* acc.values();
}

export type TimeBucket = 'day' | 'week';
const DAY = 86_400_000;

/**
 * The UTC window [from, to) holding t: a day from midnight, or a week from Monday midnight.
 */
export function timeWindowOf(t: number, bucket: TimeBucket): { from: number; to: number } {
  if (bucket === 'day') {
    const from = Math.floor(t / DAY) * DAY;
    return { from, to: from + DAY };
  }
  // 1970-01-01 was a Thursday: shift by 3 days so weeks start on Monday
  const from = Math.floor((t + 3 * DAY) / (7 * DAY)) * 7 * DAY - 3 * DAY;
  return { from, to: from + 7 * DAY };
}

/** The predicate field of a time window in slice discovery: "time (week)" or "time (day)". */
export function timeField(bucket: TimeBucket): string {
  return `time (${bucket})`;
}

/** A window's label with the time of day kept: "2026-10-05T00:00Z – 2026-10-12T00:00Z". */
export function windowLabel(from: number, to: number): string {
  const f = (t: number) => `${new Date(t).toISOString().slice(0, 16)}Z`;
  return `${f(from)} – ${f(to)}`;
}

/** A conjunction as text: "channel=email & lang=en". */
export function predicateText(predicates: readonly Predicate[]): string {
  return predicates.map((p) => `${p.field}=${String(p.value)}`).join(' & ');
}
