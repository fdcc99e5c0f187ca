import { describe, expect, it } from 'vitest';
import { labelsNeeded, windowRates } from './evidence';

const check = { n: 100, diff: 0.01, lo: -0.05, hi: 0.07, margin: 0.01, higherIsBetter: true, verdict: 'fail' as const };

describe('labelsNeeded', () => {
  it('scales n by the squared ratio of the interval width to the width that clears the margin', () => {
    // room = diff + margin = 0.02, target width 0.04, width now 0.12: n ≈ 100 × (0.12 / 0.04)² = 900
    const r = labelsNeeded(check)!;
    expect(r.more).toBe(800);
    expect(r.target).toMatch(/^a 95% interval of width 0\.040 /);
    expect(r.target).toMatch(/n ≈ 100 × \(0\.120 \/ 0\.040\)² = 900$/);
  });

  it('mirrors the rule for a loss, where lower is better', () => {
    // room = margin − diff = 0.01 + 0.01 = 0.02 with diff −0.01; width 0.06, target 0.04: 100 × 1.5² = 225
    const r = labelsNeeded({ ...check, diff: -0.01, lo: -0.04, hi: 0.02, higherIsBetter: false })!;
    expect(r.more).toBe(125);
  });

  it('asks for the gate minimum without an interval; nothing for a pass or a clear fail', () => {
    expect(labelsNeeded({ ...check, n: 12, lo: null, hi: null, verdict: 'insufficient' })).toMatchObject({ more: 18 });
    expect(labelsNeeded({ ...check, verdict: 'pass' })).toBeNull();
    expect(labelsNeeded({ ...check, diff: -0.2, lo: -0.3, hi: -0.1 })).toBeNull();
  });
});

describe('windowRates', () => {
  it('counts labeled and predicted positives in equal time windows', () => {
    // ids 1..8 at t = 0, 1, …, 7; windows of 7/2: [0, 3.5) and [3.5, 7]
    const ts = new Map([1, 2, 3, 4, 5, 6, 7, 8].map((id) => [id, id - 1]));
    const truth = new Map([
      [1, 0],
      [2, 0],
      [3, 0],
      [4, 1],
      [5, 1],
      [6, 1],
      [7, 1],
      [8, 0],
    ]);
    const run = { name: 'a', ids: [1, 2, 3, 4, 5, 6, 7], positive: [0.9, 0.1, 0.1, 0.2, 0.6, 0.7, 0.8] };
    const w = windowRates(ts, truth, [run], 2);
    expect(w).toHaveLength(2);
    expect(w[0]).toMatchObject({ n: 4, labeled: 1 / 4, predicted: [{ run: 'a', n: 4, rate: 1 / 4 }] });
    expect(w[1]).toMatchObject({ n: 4, labeled: 3 / 4, predicted: [{ run: 'a', n: 3, rate: 1 }] });
    expect(windowRates(new Map([[1, 5]]), new Map([[1, 0]]), [], 4)).toEqual([]);
  });
});
