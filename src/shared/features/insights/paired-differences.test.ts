import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../mining/top-k';
import { aucOneVsRest, aucRanking, weightedAuc } from './auc';
import { compareRuns, sortedQuantile } from './bootstrap';
import { classificationReport } from './metrics';
import { binomial, multinomialInto } from './multinomial';
import { pairedDifferences, type Difference } from './paired-differences';

/** n examples × k classes, rows that agree with the truth about 75% of the time. */
function run(n: number, k: number, seed: number, truth?: Int32Array) {
  const next = mulberry32(seed);
  const t = truth ?? Int32Array.from({ length: n }, () => next() % k);
  const probs = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const v = next() / 2 ** 32 + (j === t[i] && next() % 4 !== 0 ? 0.8 : 0);
      probs[i * k + j] = v;
      sum += v;
    }
    for (let j = 0; j < k; j++) probs[i * k + j]! /= sum;
  }
  return { truth: t, probs };
}

const find = (rows: Difference[], metric: Difference['metric'], cls: number | null = null) =>
  rows.find((r) => r.metric === metric && r.cls === cls)!;

describe('pairedDifferences', () => {
  const a = run(300, 3, 1);
  const b = run(300, 3, 2, a.truth);

  it('gives every difference an interval that holds it, the same for a seed and different for another', () => {
    const rows = pairedDifferences(a.truth, a.probs, b.probs, 3, { samples: 500, seed: 7 });
    expect(rows.map((r) => `${r.metric}${r.cls ?? ''}`)).toEqual([
      'accuracy',
      'macroF1',
      'rocAuc',
      'prAuc',
      'logLoss',
      'brier',
      ...[0, 1, 2].flatMap((c) => [`precision${c}`, `recall${c}`, `f1${c}`]),
    ]);
    const report = (p: Float64Array) => classificationReport(a.truth, p, 3);
    const ra = report(a.probs);
    const rb = report(b.probs);
    expect(find(rows, 'accuracy').diff).toBeCloseTo(rb.accuracy! - ra.accuracy!, 12);
    expect(find(rows, 'prAuc').diff).toBeCloseTo(rb.prAuc! - ra.prAuc!, 12);
    expect(find(rows, 'f1', 2).diff).toBeCloseTo(rb.perClass[2]!.f1! - ra.perClass[2]!.f1!, 12);
    for (const r of rows) {
      expect(r.samples).toBe(500);
      expect(r.lo!).toBeLessThanOrEqual(r.diff!);
      expect(r.hi!).toBeGreaterThanOrEqual(r.diff!);
      expect(r.lo!).toBeLessThan(r.hi!);
    }
    expect(pairedDifferences(a.truth, a.probs, b.probs, 3, { samples: 500, seed: 7 })).toEqual(rows);
    const other = pairedDifferences(a.truth, a.probs, b.probs, 3, { samples: 500, seed: 8 });
    expect(find(other, 'accuracy').lo).not.toBe(find(rows, 'accuracy').lo);
    expect(find(other, 'logLoss').lo).not.toBe(find(rows, 'logLoss').lo);
  });

  it('matches a slow bootstrap that rebuilds every resample row by row (probability metrics)', () => {
    for (const k of [2, 3]) {
      const x = run(60, k, 11 + k);
      const y = run(60, k, 21 + k, x.truth);
      const samples = 200;
      const rows = pairedDifferences(x.truth, x.probs, y.probs, k, { samples, seed: 5 });
      // The same draws: per class, m indexes among its members, from the generator seeded by the seed.
      const next = mulberry32(5);
      const strata = Array.from({ length: k }, (_, c) => [...x.truth.keys()].filter((i) => x.truth[i] === c));
      const diffs: Record<string, number[]> = { rocAuc: [], prAuc: [], logLoss: [], brier: [] };
      for (let s = 0; s < samples; s++) {
        const drawn: number[] = [];
        for (const members of strata) {
          const m = members.length;
          const limit = 0x100000000 - (0x100000000 % m);
          for (let j = 0; j < m; j++) {
            let u = next();
            while (u >= limit) u = next();
            drawn.push(members[u % m]!);
          }
        }
        const t = Int32Array.from(drawn, (i) => x.truth[i]!);
        const gather = (p: Float64Array) =>
          Float64Array.from(drawn.flatMap((i) => Array.from(p.subarray(i * k, i * k + k))));
        const ra = classificationReport(t, gather(x.probs), k);
        const rb = classificationReport(t, gather(y.probs), k);
        for (const metric of ['rocAuc', 'prAuc', 'logLoss', 'brier'] as const)
          diffs[metric]!.push(rb[metric]! - ra[metric]!);
      }
      for (const metric of ['rocAuc', 'prAuc', 'logLoss', 'brier'] as const) {
        const sorted = Float64Array.from(diffs[metric]!).sort();
        const r = find(rows, metric);
        expect(r.lo).toBeCloseTo(sortedQuantile(sorted, 0.025), 10);
        expect(r.hi).toBeCloseTo(sortedQuantile(sorted, 0.975), 10);
      }
      // the same draws as compareRuns with stratified resampling
      const c = compareRuns(x.truth, x.probs, y.probs, k, 'logLoss', { samples, seed: 5, stratified: true });
      expect(find(rows, 'logLoss').lo).toBeCloseTo(c.lo!, 12);
    }
  });

  it('draws decision metrics from the exact stratified bootstrap distribution (brute force over every resample)', () => {
    // 3 examples per class; champion and challenger decisions chosen so every cell type occurs.
    const truth = Int32Array.from([0, 0, 0, 1, 1, 1]);
    const da = Int32Array.from([0, 0, 1, 1, 0, 1]);
    const db = Int32Array.from([0, 1, 1, 1, 1, 0]);
    const onehot = (d: Int32Array) => Float64Array.from([...d].flatMap((c) => (c === 1 ? [0.2, 0.8] : [0.8, 0.2])));
    // every one of the 27 × 27 equally likely stratified resamples
    const exact = new Map<string, number[]>([
      ['accuracy', []],
      ['recall1', []],
      ['macroF1', []],
    ]);
    const tuples = [...Array(27).keys()].map((x) => [x % 3, Math.floor(x / 3) % 3, Math.floor(x / 9)]);
    for (const t0 of tuples)
      for (const t1 of tuples) {
        const idx = [...t0, ...t1.map((i) => i + 3)];
        const t = Int32Array.from(idx, (i) => truth[i]!);
        const ra = classificationReport(t, onehot(Int32Array.from(idx, (i) => da[i]!)), 2);
        const rb = classificationReport(t, onehot(Int32Array.from(idx, (i) => db[i]!)), 2);
        exact.get('accuracy')!.push(rb.accuracy! - ra.accuracy!);
        exact.get('recall1')!.push(rb.perClass[1]!.recall! - ra.perClass[1]!.recall!);
        exact.get('macroF1')!.push(rb.macroF1! - ra.macroF1!);
      }
    const samples = 20_000;
    const rows = pairedDifferences(truth, onehot(da), onehot(db), 2, { samples, seed: 3, confidence: 0.5 });
    for (const [metric, values] of exact) {
      const r = metric === 'recall1' ? find(rows, 'recall', 1) : find(rows, metric as 'accuracy' | 'macroF1');
      expect(r.diff).toBeCloseTo(valueAtFull(metric, truth, da, db), 12);
      // quartiles of the exact distribution (type 7 over the 729 equally likely resamples) against the drawn ones
      const sorted = Float64Array.from(values).sort();
      expect(Math.abs(r.lo! - sortedQuantile(sorted, 0.25))).toBeLessThan(0.06);
      expect(Math.abs(r.hi! - sortedQuantile(sorted, 0.75))).toBeLessThan(0.06);
      // the cell draws themselves: the share of resamples at or below each value, drawn against exact
      const atoms = [...new Set(values.map((x) => x.toFixed(9)))].map(Number);
      const cdf = (list: number[], x: number) => list.filter((v) => v <= x + 1e-12).length / list.length;
      const drawn = resampledDiffs(truth, da, db, samples, metric);
      for (const x of atoms) expect(Math.abs(cdf(drawn, x) - cdf(values, x))).toBeLessThan(0.02);
    }
  });

  it('resamples the AUC differences through their influence on large sets: the intervals of the exact resampling', () => {
    for (const k of [2, 3]) {
      const x = run(6000, k, 51 + k);
      const y = run(6000, k, 61 + k, x.truth);
      const exact = pairedDifferences(x.truth, x.probs, y.probs, k, { samples: 1000, seed: 4 });
      const linear = pairedDifferences(x.truth, x.probs, y.probs, k, { samples: 1000, seed: 4, exactUpTo: 0 });
      for (const metric of ['rocAuc', 'prAuc'] as const) {
        const e = find(exact, metric);
        const l = find(linear, metric);
        expect(l.diff).toBe(e.diff);
        const width = e.hi! - e.lo!;
        // the same draws: the first-order term alone moves each bound by a small share of the width
        expect(Math.abs(l.lo! - e.lo!)).toBeLessThan(0.03 * width);
        expect(Math.abs(l.hi! - e.hi!)).toBeLessThan(0.03 * width);
      }
      // the losses are means: the same numbers either way
      expect(find(linear, 'logLoss')).toEqual(find(exact, 'logLoss'));
    }
  });

  it('resamples only the cells that hold examples: 60 classes cost no more than their examples', () => {
    const k = 60;
    const x = run(3000, k, 71);
    const y = run(3000, k, 72, x.truth);
    const t0 = performance.now();
    const rows = pairedDifferences(x.truth, x.probs, y.probs, k, { samples: 300, seed: 2 });
    const ms = performance.now() - t0;
    expect(rows).toHaveLength(6 + 3 * k);
    const ra = classificationReport(x.truth, x.probs, k);
    const rb = classificationReport(x.truth, y.probs, k);
    expect(find(rows, 'macroF1').diff).toBeCloseTo(rb.macroF1! - ra.macroF1!, 12);
    expect(find(rows, 'recall', 59).diff).toBeCloseTo(rb.perClass[59]!.recall! - ra.perClass[59]!.recall!, 12);
    for (const r of rows.filter((d) => d.lo !== null)) expect(r.lo!).toBeLessThanOrEqual(r.hi!);
    // k³ = 216,000 cells a resample would take seconds here; the occupied ones take milliseconds
    expect(ms).toBeLessThan(20_000);
  });

  it('agrees with resampling examples one by one (accuracy, recall) on a larger case', () => {
    const x = run(2000, 2, 41);
    const y = run(2000, 2, 42, x.truth);
    const rows = pairedDifferences(x.truth, x.probs, y.probs, 2, { samples: 2000, seed: 1 });
    const slow = compareRuns(x.truth, x.probs, y.probs, 2, 'accuracy', { samples: 2000, seed: 1, stratified: true });
    expect(Math.abs(find(rows, 'accuracy').lo! - slow.lo!)).toBeLessThan(0.004);
    expect(Math.abs(find(rows, 'accuracy').hi! - slow.hi!)).toBeLessThan(0.004);
  });
});

/** The full-data difference of a metric, by the report. */
function valueAtFull(metric: string, truth: Int32Array, da: Int32Array, db: Int32Array): number {
  const onehot = (d: Int32Array) => Float64Array.from([...d].flatMap((c) => (c === 1 ? [0.2, 0.8] : [0.8, 0.2])));
  const ra = classificationReport(truth, onehot(da), 2);
  const rb = classificationReport(truth, onehot(db), 2);
  if (metric === 'recall1') return rb.perClass[1]!.recall! - ra.perClass[1]!.recall!;
  return (rb[metric as 'accuracy' | 'macroF1'] as number) - (ra[metric as 'accuracy' | 'macroF1'] as number);
}

/** The decision path's resampled differences themselves: cell counts drawn as pairedDifferences draws them. */
function resampledDiffs(truth: Int32Array, da: Int32Array, db: Int32Array, samples: number, metric: string): number[] {
  const next = mulberry32(77);
  const out: number[] = [];
  const cells = [0, 1].map((t) => {
    const c = new Float64Array(4);
    for (let i = 0; i < truth.length; i++) if (truth[i] === t) c[da[i]! * 2 + db[i]!]!++;
    return c;
  });
  const drawn = new Float64Array(4);
  for (let s = 0; s < samples; s++) {
    const conf = { a: [0, 0, 0, 0], b: [0, 0, 0, 0] };
    for (const t of [0, 1]) {
      multinomialInto(next, cells[t]!, drawn);
      for (let a = 0; a < 2; a++)
        for (let b = 0; b < 2; b++) {
          conf.a[t * 2 + a]! += drawn[a * 2 + b]!;
          conf.b[t * 2 + b]! += drawn[a * 2 + b]!;
        }
    }
    const value = (c: number[]) => {
      const acc = (c[0]! + c[3]!) / 6;
      const recall1 = c[3]! / 3;
      const f1 = (cls: number) => {
        const tp = c[cls * 3]!;
        const support = c[cls * 2]! + c[cls * 2 + 1]!;
        const predicted = c[cls]! + c[2 + cls]!;
        return support + predicted > 0 ? (2 * tp) / (support + predicted) : null;
      };
      const f = [f1(0), f1(1)].filter((v): v is number => v !== null);
      return metric === 'accuracy' ? acc : metric === 'recall1' ? recall1 : f.reduce((p, q) => p + q, 0) / f.length;
    };
    out.push(value(conf.b) - value(conf.a));
  }
  return out;
}

describe('binomial and multinomial draws', () => {
  it('have the mean and variance of the distribution, small and large n, p near 0 and 1', () => {
    const next = mulberry32(9);
    for (const [n, p] of [
      [10, 0.3],
      [40, 0.5],
      [1000, 0.5],
      [100_000, 0.01],
      [100_000, 0.999],
      [50, 0.99],
      [1_000_000, 0.37],
    ] as const) {
      const draws = 20_000;
      let sum = 0;
      let sq = 0;
      for (let i = 0; i < draws; i++) {
        const x = binomial(next, n, p);
        expect(Number.isInteger(x) && x >= 0 && x <= n).toBe(true);
        sum += x;
        sq += x * x;
      }
      const mean = sum / draws;
      const variance = sq / draws - mean * mean;
      const sd = Math.sqrt(n * p * (1 - p));
      expect(Math.abs(mean - n * p)).toBeLessThan((5 * sd) / Math.sqrt(draws));
      expect(variance / (sd * sd)).toBeGreaterThan(0.93);
      expect(variance / (sd * sd)).toBeLessThan(1.07);
    }
  });

  it('match the binomial probabilities of every value (n = 60, p = 0.35, through the mode search)', () => {
    const next = mulberry32(10);
    const n = 60;
    const p = 0.35;
    const draws = 200_000;
    const seen = new Float64Array(n + 1);
    for (let i = 0; i < draws; i++) seen[binomial(next, n, p)]!++;
    let pmf = (1 - p) ** n;
    for (let x = 0; x <= n; x++) {
      expect(Math.abs(seen[x]! / draws - pmf)).toBeLessThan(5 * Math.sqrt(pmf / draws) + 1e-4);
      pmf *= ((n - x) / (x + 1)) * (p / (1 - p));
    }
  });

  it('put every draw somewhere and nothing in an empty cell', () => {
    const next = mulberry32(3);
    const out = new Float64Array(5);
    for (let s = 0; s < 200; s++) {
      multinomialInto(next, [4, 0, 10, 1, 0], out);
      expect(out.reduce((p, q) => p + q, 0)).toBe(15);
      expect(out[1]).toBe(0);
      expect(out[4]).toBe(0);
    }
  });
});

describe('aucRanking of stored (float32) scores', () => {
  it('orders by score, ties by index, −0 with 0: the order a comparator gives', () => {
    const next = mulberry32(12);
    const n = 5000;
    const truth = Int32Array.from({ length: n }, () => next() % 2);
    // few distinct values (many ties), zeros of both signs and ones
    const probs = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      const v = i % 97 === 0 ? -0 : i % 89 === 0 ? 1 : Math.fround((next() % 50) / 49);
      probs[i * 2 + 1] = v;
      probs[i * 2] = 1 - v;
    }
    const packed = aucRanking(truth, probs, 2, 1, 1);
    const score = Float64Array.from({ length: n }, (_, i) => probs[i * 2 + 1]!);
    const expected = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a]! - score[b]! || a - b);
    expect(Array.from(packed.order)).toEqual(Array.from(expected));
    expect(weightedAuc(packed, new Int32Array(n).fill(1))).toBeCloseTo(aucOneVsRest(truth, probs, 2, 1, 1)!, 12);
  });
});
