import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../mining/top-k';
import { calibration } from './calibration';
import { classificationReport } from './metrics';

function binaryRows(scores: number[]): Float64Array {
  const out = new Float64Array(scores.length * 2);
  scores.forEach((s, i) => {
    out[2 * i] = 1 - s;
    out[2 * i + 1] = s;
  });
  return out;
}

/** One-vs-rest ECE of class c, written out plainly: group by bin index, then sum the gaps. */
function naiveEce(truth: Int32Array, probs: Float64Array, k: number, c: number, bins: number): number {
  const groups = new Map<number, { p: number[]; hit: number[] }>();
  for (let i = 0; i < truth.length; i++) {
    const p = probs[i * k + c]!;
    const b = Math.min(bins - 1, Math.floor(p * bins));
    const g = groups.get(b) ?? { p: [], hit: [] };
    g.p.push(p);
    g.hit.push(truth[i] === c ? 1 : 0);
    groups.set(b, g);
  }
  let ece = 0;
  for (const g of groups.values()) {
    const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
    ece += (g.p.length / truth.length) * Math.abs(mean(g.hit) - mean(g.p));
  }
  return ece;
}

describe('calibration', () => {
  it('bins P(positive) for a binary run: a hand-worked case', () => {
    // P(pos) 0.9 0.9 0.8 0.8 0.1 0.2, truth 1 0 0 0 0 0, 2 bins:
    // [0.5, 1]: 4 examples, mean 0.85, positive rate 1/4 → gap 0.6;  [0, 0.5): 2, mean 0.15, rate 0 → 0.15
    // ECE = 4/6 · 0.6 + 2/6 · 0.15 = 0.45.  Top label: all 6 at mean confidence 0.85, accuracy 3/6 → 0.35
    const truth = Int32Array.from([1, 0, 0, 0, 0, 0]);
    const c = calibration(truth, binaryRows([0.9, 0.9, 0.8, 0.8, 0.1, 0.2]), 2, { bins: 2 });
    expect(c.basis).toBe('positive');
    expect(c.ece).toBeCloseTo(0.45, 14);
    expect(c.topLabelEce).toBeCloseTo(0.35, 14);
    expect(c.bins[1]).toMatchObject({ lo: 0.5, hi: 1, count: 4, observed: 0.25 });
    expect(c.bins[1]!.predicted).toBeCloseTo(0.85, 14);
    expect(c.predictedRate[1]).toBeCloseTo(4 / 6, 14);
    expect(c.labeledRate[1]).toBeCloseTo(1 / 6, 14);
    expect(c.meanProbability[1]).toBeCloseTo(3.7 / 6, 14);
  });

  it('shows the positive-class over-prediction that the top-class confidence hides', () => {
    // 10 at P(pos) 0.8 of which 6 positive, 10 at P(pos) 0.2 of which none: every confidence is 0.8
    // and 16 of 20 are right, so the top-label ECE is 0; on P(positive) both bins are off by 0.2
    const truth = Int32Array.from([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, ...Array(10).fill(0)]);
    const probs = binaryRows([...Array(10).fill(0.8), ...Array(10).fill(0.2)]);
    const c = calibration(truth, probs, 2);
    expect(c.topLabelEce).toBeCloseTo(0, 12);
    expect(classificationReport(truth, probs, 2).ece).toBeCloseTo(0, 12); // what eval used to show
    expect(c.ece).toBeCloseTo(0.2, 12);
    expect(c.predictedRate[1]).toBe(0.5);
    expect(c.labeledRate[1]).toBe(0.3);
  });

  it('gives class-wise and top-label ECE for multiclass, matching a plain second implementation', () => {
    const next = mulberry32(7);
    const n = 300;
    const k = 4;
    const truth = Int32Array.from({ length: n }, () => next() % k);
    const probs = new Float64Array(n * k);
    for (let i = 0; i < n; i++) {
      const raw = Array.from({ length: k }, (_, c) => 1 + (next() % 9) + (c === truth[i] ? 4 : 0));
      const sum = raw.reduce((s, v) => s + v, 0);
      raw.forEach((v, c) => (probs[i * k + c] = v / sum));
    }
    const c = calibration(truth, probs, k);
    expect(c.basis).toBe('top-label');
    expect(c.ece).toBe(classificationReport(truth, probs, k).ece);
    expect(c.topLabelEce).toBe(c.ece);
    for (let cls = 0; cls < k; cls++) expect(c.perClassEce[cls]).toBeCloseTo(naiveEce(truth, probs, k, cls, 10), 12);
    expect(c.classwiseEce).toBeCloseTo(c.perClassEce.reduce<number>((s, e) => s + e!, 0) / k, 14);
    expect(c.labeledRate.reduce((s, r) => s + r, 0)).toBeCloseTo(1, 12);
    expect(c.predictedRate.reduce((s, r) => s + r, 0)).toBeCloseTo(1, 12);
  });

  it('returns nulls without examples and rejects bad bins', () => {
    const c = calibration(new Int32Array(0), new Float64Array(0), 2);
    expect(c).toMatchObject({ ece: null, topLabelEce: null, classwiseEce: null });
    expect(() => calibration(Int32Array.from([0]), binaryRows([0.2]), 2, { bins: 0 })).toThrow(/bins/);
  });
});
