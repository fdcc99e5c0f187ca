import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../mining/top-k';
import { compareRuns } from './bootstrap';
import { combineVerdicts, mcnemar, mcnemarExactP, nonInferiority, runGate, type GateOptions } from './gate';

/** Binary rows [1 − s, s]. */
function binaryRows(scores: number[]): Float64Array {
  const out = new Float64Array(scores.length * 2);
  scores.forEach((s, i) => {
    out[2 * i] = 1 - s;
    out[2 * i + 1] = s;
  });
  return out;
}

/** Binary runs where `right[i]` says whether the run predicts example i's class. */
function runOf(truth: Int32Array, right: boolean[]): Float64Array {
  return binaryRows([...truth].map((t, i) => (right[i] === (t === 1) ? 0.8 : 0.2)));
}

/** Independent exact McNemar p: BigInt binomial coefficients, no logarithms. */
function exactP(b: number, c: number): number {
  const m = b + c;
  if (m === 0) return 1;
  let sum = 0n;
  let coef = 1n;
  for (let i = 0; i <= Math.min(b, c); i++) {
    sum += coef;
    coef = (coef * BigInt(m - i)) / BigInt(i + 1);
  }
  return Math.min(1, (2 * Number((sum * 10n ** 18n) / 2n ** BigInt(m))) / 1e18);
}

/** The rule the gate used before: fail only when the WHOLE interval lies below −margin. */
const oldRuleFails = (hi: number, margin: number) => hi < -margin;

const opts: GateOptions = {
  metric: 'accuracy',
  margin: 0.01,
  recallMargin: 0.05,
  samples: 1000,
  seed: 1,
  labels: ['neg', 'pos'],
};

describe('non-inferiority rule', () => {
  it('passes only when the bound on the bad side is within the margin', () => {
    expect(nonInferiority(-0.02, 0.03, 0.02, true)).toBe('pass'); // lo = −margin
    expect(nonInferiority(-0.021, 0.1, 0.02, true)).toBe('fail'); // crosses −margin, however wide
    expect(nonInferiority(-0.3, 0.2, 0.02, true)).toBe('fail');
    expect(nonInferiority(-0.1, 0.02, 0.02, false)).toBe('pass'); // a loss: hi ≤ +margin
    expect(nonInferiority(-0.1, 0.021, 0.02, false)).toBe('fail');
    expect(nonInferiority(null, null, 0.02, true)).toBe('insufficient');
    expect(() => nonInferiority(0, 0, -1, true)).toThrow(RangeError);
    expect(() => nonInferiority(0, 0, NaN, true)).toThrow(RangeError);
  });

  it('fails on any failed check and is insufficient on any missing evidence otherwise', () => {
    const v = (...x: ('pass' | 'fail' | 'insufficient')[]) => combineVerdicts(x.map((verdict) => ({ verdict })));
    expect(v('pass', 'pass')).toBe('pass');
    expect(v('pass', 'insufficient')).toBe('insufficient');
    expect(v('insufficient', 'fail')).toBe('fail');
  });
});

describe("McNemar's exact test", () => {
  it('matches hand-worked values and an exact BigInt sum', () => {
    // b = 1, c = 9: 2 · (C(10,0) + C(10,1)) / 2^10 = 2 · 11 / 1024
    expect(mcnemarExactP(1, 9)).toBeCloseTo(22 / 1024, 15);
    expect(mcnemarExactP(9, 1)).toBeCloseTo(22 / 1024, 15);
    // b = 0, c = 5: 2 / 32
    expect(mcnemarExactP(0, 5)).toBeCloseTo(1 / 16, 15);
    expect(mcnemarExactP(3, 3)).toBe(1);
    expect(mcnemarExactP(0, 0)).toBe(1);
    for (const [b, c] of [
      [12, 30],
      [40, 61],
      [150, 190],
      [700, 800],
    ] as const) {
      expect(mcnemarExactP(b, c)).toBeCloseTo(exactP(b, c), 12);
    }
  });

  it('counts the discordant pairs of two runs', () => {
    const truth = Int32Array.from([0, 1, 0, 1, 1]);
    const a = runOf(truth, [true, true, false, false, true]);
    const b = runOf(truth, [true, false, true, true, true]);
    expect(mcnemar(truth, a, b, 2)).toEqual({ championOnly: 1, challengerOnly: 2, pValue: 1 });
  });
});

describe('runGate', () => {
  /**
   * The reported trap in small: on 60 newest examples the challenger errs on 10 where the champion
   * errs on 5 (it is worse by 0.083), and the interval is wide. The old rule passed it.
   */
  function trap(n: number) {
    const next = mulberry32(5);
    const truth = Int32Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const order = [...truth.keys()].sort(() => (next() % 2 === 0 ? -1 : 1));
    const wrongA = new Set(order.slice(0, Math.round(n / 12)));
    const wrongB = new Set(order.slice(Math.round(n / 24), Math.round(n / 24) + Math.round(n / 6)));
    return {
      truth,
      a: runOf(
        truth,
        [...truth.keys()].map((i) => !wrongA.has(i)),
      ),
      b: runOf(
        truth,
        [...truth.keys()].map((i) => !wrongB.has(i)),
      ),
    };
  }

  it('fails a clearly worse challenger whose wide interval the old rule let through', () => {
    const { truth, a, b } = trap(60);
    const c = compareRuns(truth, a, b, 2, 'accuracy', { samples: 1000, seed: 1, stratified: true });
    expect(c.diff!).toBeCloseTo(-5 / 60, 12);
    expect(c.lo!).toBeLessThan(-0.01);
    expect(c.hi!).toBeGreaterThanOrEqual(-0.01);
    expect(oldRuleFails(c.hi!, 0.01)).toBe(false); // the old gate: passed
    const g = runGate(truth, a, b, 2, opts);
    expect(g.verdict).toBe('fail');
    // the gate's interval is the accuracy row of its differences (the same resamples)
    const row = g.differences.find((d) => d.metric === 'accuracy')!;
    expect(row.lo!).toBeLessThan(-0.01);
    expect(g.checks[0]).toMatchObject({
      kind: 'primary',
      name: 'accuracy',
      n: 60,
      verdict: 'fail',
      lo: row.lo,
      hi: row.hi,
    });
    const recall = g.differences.find((d) => d.metric === 'recall' && d.cls === 1)!;
    expect(g.checks[2]).toMatchObject({ name: 'pos', lo: recall.lo, hi: recall.hi });
    expect(g.checks[0]!.reason).toMatch(/lower bound is below −0.01/);
    expect(g.checks.map((x) => x.name)).toEqual(['accuracy', 'neg', 'pos']);
    expect(g.mcnemar.championOnly + g.mcnemar.challengerOnly).toBeGreaterThan(0);
  });

  it('says insufficient evidence under 30 examples and under 5 of a class, never pass', () => {
    const { truth, a, b } = trap(24);
    const small = runGate(truth, a, a, 2, opts); // identical runs: would pass on enough data
    expect(small.verdict).toBe('insufficient');
    expect(small.checks[0]!.reason).toBe('24 common examples; the gate needs at least 30');
    const t = Int32Array.from([...Array(36).fill(0), 1, 1, 1, 1]);
    const same = binaryRows([...Array(36).fill(0.1), 0.9, 0.9, 0.9, 0.9]);
    const rare = runGate(t, same, same, 2, opts);
    expect(rare.checks[0]!.verdict).toBe('pass');
    expect(rare.checks[2]).toMatchObject({ name: 'pos', n: 4, verdict: 'insufficient' });
    expect(rare.verdict).toBe('insufficient');
    // but a failure is a failure even when another check lacks evidence
    expect(runGate(truth, a, b, 2, { ...opts, margin: 0 }).verdict).not.toBe('pass');
  });

  it('fails on a recall guard when the average holds but a class regresses', () => {
    // 200 negatives, 40 positives: the challenger finds 6 more negatives and misses 10 more positives
    const truth = Int32Array.from([...Array(200).fill(0), ...Array(40).fill(1)]);
    const a = runOf(
      truth,
      [...truth.keys()].map((i) => (i < 200 ? i >= 20 : i < 236)),
    );
    const b = runOf(
      truth,
      [...truth.keys()].map((i) => (i < 200 ? i >= 14 : i < 226)),
    );
    const g = runGate(truth, a, b, 2, { ...opts, margin: 0.05 });
    expect(g.checks[0]!.verdict).toBe('pass');
    expect(g.checks[2]).toMatchObject({ kind: 'recall', name: 'pos', n: 40, verdict: 'fail' });
    expect(g.checks[2]!.diff).toBeCloseTo(-10 / 40, 12);
    expect(g.verdict).toBe('fail');
    // a generous recall margin lets the same challenger through
    expect(runGate(truth, a, b, 2, { ...opts, margin: 0.05, recallMargin: 0.6 }).verdict).toBe('pass');
  });

  it('judges a loss by the upper bound', () => {
    const next = mulberry32(2);
    const truth = Int32Array.from({ length: 200 }, () => next() % 2);
    const good = binaryRows([...truth].map((t) => (t === 1 ? 0.8 : 0.2)));
    const vague = binaryRows([...truth].map((t) => (t === 1 ? 0.6 : 0.4)));
    const worse = runGate(truth, good, vague, 2, { ...opts, metric: 'logLoss' });
    expect(worse.checks[0]).toMatchObject({ higherIsBetter: false, verdict: 'fail' });
    expect(worse.checks[0]!.reason).toMatch(/upper bound is above \+0.01/);
    expect(runGate(truth, vague, good, 2, { ...opts, metric: 'brier' }).checks[0]!.verdict).toBe('pass');
  });
});
