import { describe, expect, it } from 'vitest';
import { labelEfficiency, wilson, type PrequentialOutcome } from './efficiency';

describe('wilson', () => {
  it('8 of 10: centre (0.8 + z²/20)/(1 + z²/10) = 0.7167, half-width 0.2266 → [0.4902, 0.9433]', () => {
    const w = wilson(8, 10);
    expect(w.accuracy).toBe(0.8);
    expect(w.low).toBeCloseTo(0.4902, 4);
    expect(w.high).toBeCloseTo(0.9433, 4);
  });

  it('0 of 0 knows nothing; 0 of 5 and 5 of 5 stay inside [0, 1]', () => {
    expect(wilson(0, 0)).toEqual({ n: 0, correct: 0, accuracy: null, low: 0, high: 1 });
    expect(wilson(0, 5).low).toBe(0);
    expect(wilson(0, 5).high).toBeCloseTo(0.4345, 4);
    expect(wilson(5, 5).high).toBe(1);
  });
});

/**
 * total labels, every fifth a control item. The learner is right with probability main(n) at n
 * labels; the control-only learner with random(m) at m control labels. Outcomes follow those
 * probabilities through a low-discrepancy sequence, so the tests are exact and repeatable.
 */
function stream(total: number, main: (n: number) => number, random: (m: number) => number): PrequentialOutcome[] {
  const out: PrequentialOutcome[] = [];
  let m = 0;
  for (let n = 0; n < total; n++) {
    const u = (n * 0.6180339887498949) % 1;
    const v = (n * 0.7548776662466927) % 1;
    if (n % 5 === 4) {
      out.push({
        origin: 'control',
        correct: u < main(n),
        labelCount: n,
        randomCorrect: v < random(m),
        randomLabelCount: m,
      });
      m++;
    } else {
      out.push({ origin: 'mined', correct: u < main(n) - 0.2, labelCount: n });
    }
  }
  return out;
}

const clamp = (p: number) => Math.min(0.97, Math.max(0.03, p));

describe('labelEfficiency', () => {
  it('is too early with fewer than 30 control labels, and says how many there are', () => {
    const r = labelEfficiency(
      stream(
        100,
        () => 0.9,
        () => 0.5,
      ),
    );
    expect(r.verdict).toBe('too-early');
    expect(r.sentence).toBe('Too early to tell: 20 of the 30 control labels needed so far.');
    expect(r.randomLabelsToMatch).toBeNull();
    expect(r.control.n).toBe(20);
    expect(r.mined.n).toBe(80);
  });

  it('is too early without a control-only learner', () => {
    const outcomes = stream(
      500,
      () => 0.9,
      () => 0.5,
    ).map(({ origin, correct, labelCount }) => ({
      origin,
      correct,
      labelCount,
    }));
    const r = labelEfficiency(outcomes);
    expect(r.verdict).toBe('too-early');
    expect(r.sentence).toMatch(/control labels alone/);
  });

  it('mined-better when random labels learn slowly and the learner is far ahead', () => {
    const r = labelEfficiency(
      stream(
        2000,
        () => 0.95,
        (m) => clamp(0.3 + 0.04 * Math.log(m + 1)),
      ),
    );
    expect(r.verdict).toBe('mined-better');
    expect(r.randomLabelsToMatch!.low).toBeGreaterThan(r.qualityAtLabels);
    expect(r.randomLabelsToMatch!.extrapolated).toBe(true);
    expect(r.sentence).toBe(
      "Mined labels pay off: the learner's 98.0% accuracy at 1,877 labels would take more than 18,765 random labels " +
        '(the whole 95% interval, extrapolated beyond the control curve).',
    );
  });

  it('control-better when random labels reach the learner’s quality with far fewer labels', () => {
    const r = labelEfficiency(
      stream(
        2000,
        () => 0.45,
        (m) => clamp(0.3 + 0.1 * Math.log(m + 1)),
      ),
    );
    expect(r.verdict).toBe('control-better');
    expect(r.randomLabelsToMatch!.high).toBeLessThan(r.qualityAtLabels);
    expect(r.sentence).toMatch(/Consider switching to random sampling\.$/);
  });

  it('no-difference when the learner sits on the random curve', () => {
    const curve = (n: number) => clamp(0.3 + 0.05 * Math.log(n + 1));
    const r = labelEfficiency(stream(2000, curve, curve));
    expect(r.verdict).toBe('no-difference');
    const { low, high } = r.randomLabelsToMatch!;
    expect(low).toBeLessThan(r.qualityAtLabels);
    expect(high).toBeGreaterThan(r.qualityAtLabels);
    expect(r.sentence).toMatch(/^Mined labels are not clearly beating random ones: .* Consider switching strategy\.$/);
  });

  it('bins the curves and is repeatable for a seed', () => {
    const outcomes = stream(
      1000,
      (n) => clamp(0.5 + 0.05 * Math.log(n + 1)),
      (m) => clamp(0.4 + 0.05 * Math.log(m + 1)),
    );
    const a = labelEfficiency(outcomes, { seed: 3 });
    expect(a).toEqual(labelEfficiency(outcomes, { seed: 3 }));
    expect(a.controlCurve).toHaveLength(8); // 200 control items in bins of 25
    expect(a.controlCurve[0]!.labels).toBeCloseTo((4 + 124) / 2, 9);
    expect(a.randomCurve[0]!.labels).toBeCloseTo(12, 9);
    expect(a.quality.n).toBe(50);
  });
});
