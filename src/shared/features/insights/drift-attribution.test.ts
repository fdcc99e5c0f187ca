import { describe, expect, it } from 'vitest';
import { psi } from './drift';
import { categoricalPsi, driftSummary, topMovers } from './drift-attribution';

describe('categorical PSI', () => {
  it('matches the hand-worked value and the binned PSI on the same split', () => {
    // 50/50 → 80/20: 0.3·ln(1.6) + (−0.3)·ln(0.4) = 0.415888…
    const ref = Int32Array.from({ length: 100 }, (_, i) => (i < 50 ? 0 : 1));
    const cur = Int32Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1));
    const hand = 0.3 * Math.log(1.6) + -0.3 * Math.log(0.4);
    expect(categoricalPsi(ref, cur, 2)).toBeCloseTo(hand, 12);
    // an independent implementation: the numeric PSI of the codes with one cut between 0 and 1
    expect(psi(Float64Array.from(ref), Float64Array.from(cur), 2)).toBeCloseTo(hand, 12);
    expect(categoricalPsi(ref, ref, 2)).toBe(0);
  });

  it('counts a missing value as a category and floors empty ones', () => {
    const ref = Int32Array.from([0, 0, 1, 1]);
    const cur = Int32Array.from([0, 0, -1, -1]);
    // category 1: 0.5 → 1e-4; missing: 1e-4 → 0.5
    const e = 1e-4;
    const hand = (e - 0.5) * Math.log(e / 0.5) + (0.5 - e) * Math.log(0.5 / e);
    expect(categoricalPsi(ref, cur, 2)).toBeCloseTo(hand, 12);
    expect(categoricalPsi(ref, new Int32Array(0), 2)).toBeNull();
    expect(() => categoricalPsi(Int32Array.from([3]), ref, 2)).toThrow(/outside/);
  });
});

describe('rare categories', () => {
  it('pools categories under 1% on both sides, so many rare ids do not read as drift', () => {
    // 1000 distinct ids in each window, none shared: unpooled each id adds 0.0009·ln 10 (0.1% against the
    // 0.01% floor), pooled it is 0
    const ref = Int32Array.from({ length: 1000 }, (_, i) => i);
    const cur = Int32Array.from({ length: 1000 }, (_, i) => 1000 + i);
    expect(categoricalPsi(ref, cur, 2000)).toBe(0);
    expect(categoricalPsi(ref, cur, 2000, 0)).toBeCloseTo(2000 * 0.0009 * Math.log(10), 9);
    // a common value keeps its own term: 50% → 80% of 'a', the ids pooled 50% → 20%
    const a = Int32Array.from({ length: 200 }, (_, i) => (i < 100 ? 0 : i));
    const b = Int32Array.from({ length: 200 }, (_, i) => (i < 160 ? 0 : 200 + i));
    expect(categoricalPsi(a, b, 400)).toBeCloseTo(0.3 * Math.log(1.6) + 0.3 * Math.log(2.5), 12);
  });
});

describe('the drift summary', () => {
  it('names the movers, the run that moved, and the prior shift', () => {
    const movers = topMovers(
      [
        { quantity: 'feature:f3', psi: 0.25, level: 'alert' as const },
        { quantity: 'feature:f1', psi: 0.01, level: 'ok' as const },
        { quantity: 'metadata:channel', psi: 0.6, level: 'alert' as const },
      ],
      2,
    );
    expect(movers.map((m) => m.quantity)).toEqual(['metadata:channel', 'feature:f3']);
    const s = driftSummary(
      movers,
      [
        { run: 'v1', psi: 0.04, level: 'ok' },
        { run: 'v2', psi: 0.31, level: 'alert' },
      ],
      { className: 'spam', labeledReference: 0.18, labeledCurrent: 0.31, run: 'v2', predictedCurrent: 0.12 },
    );
    expect(s).toBe(
      "Traffic moved (top: channel, f3); v2's scores moved more than v1's (PSI 0.31 vs 0.04); the labeled spam rate rose from 18% to 31% while v2 predicts 12%",
    );
    expect(
      driftSummary([{ quantity: 'feature:f1', psi: 0.01, level: 'ok' }], [{ run: 'v1', psi: 0.02, level: 'ok' }], {
        className: 'spam',
        labeledReference: null,
        labeledCurrent: 0.2,
        run: null,
        predictedCurrent: null,
      }),
    ).toBe(
      "Traffic is stable (largest PSI 0.01, f1); v1's scores are stable (PSI 0.02); no labels in both windows to check the class balance",
    );
  });
});
