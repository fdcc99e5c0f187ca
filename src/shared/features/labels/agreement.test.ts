import { describe, expect, it } from 'vitest';
import {
  agreementValues,
  alphaOverItems,
  cohensKappa,
  currentLabels,
  krippendorffAlpha,
  pairwiseKappa,
  type LabelEvent,
} from './index';

function repeat(pair: [string, string], times: number): [string, string][] {
  return Array.from({ length: times }, () => pair);
}

describe("Cohen's kappa", () => {
  it('matches the hand computation in agreement.ts (p_o 0.70, p_e 0.50 → κ 0.40)', () => {
    const pairs = [
      ...repeat(['yes', 'yes'], 20),
      ...repeat(['yes', 'no'], 5),
      ...repeat(['no', 'yes'], 10),
      ...repeat(['no', 'no'], 15),
    ];
    expect(cohensKappa(pairs)).toBeCloseTo(0.4, 12);
  });

  it("on Krippendorff's binary example: p_o 0.6, p_e 0.56 → κ 0.04 / 0.44", () => {
    const a = '0100000010'.split('');
    const b = '1110010000'.split('');
    expect(cohensKappa(a.map((x, i) => [x, b[i]!]))).toBeCloseTo(0.04 / 0.44, 12);
  });

  it('is 1 for perfect agreement, −1 for systematic disagreement, 0 for chance-level agreement', () => {
    expect(
      cohensKappa([
        ['a', 'a'],
        ['b', 'b'],
        ['c', 'c'],
      ]),
    ).toBe(1);
    expect(
      cohensKappa([
        ['a', 'b'],
        ['b', 'a'],
      ]),
    ).toBe(-1);
    // Each says "a" half the time, independently: p_o = 0.5 = p_e.
    expect(
      cohensKappa([
        ['a', 'a'],
        ['a', 'b'],
        ['b', 'a'],
        ['b', 'b'],
      ]),
    ).toBe(0);
  });

  it('is null for fewer than 2 items, or when both always give the same single label', () => {
    expect(cohensKappa([])).toBeNull();
    expect(cohensKappa([['a', 'a']])).toBeNull();
    expect(cohensKappa(repeat(['a', 'a'], 10))).toBeNull();
    // One annotator varies: p_e = 0.5, defined.
    expect(
      cohensKappa([
        ['a', 'a'],
        ['a', 'b'],
      ]),
    ).toBe(0);
  });
});

describe("Krippendorff's alpha (nominal)", () => {
  it('matches Krippendorff (2011): 4 coders, 12 units, missing values → α = 0.743', () => {
    // Rows: coders A-D; columns: units 1-12; null = missing.
    const _ = null;
    const data = [
      [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
      [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
      [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
      [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
    ];
    const units = Array.from({ length: 12 }, (_unit, u) =>
      data.flatMap((row) => (row[u] === null || row[u] === undefined ? [] : [String(row[u])])),
    );
    const alpha = krippendorffAlpha(units);
    expect(alpha).not.toBeNull();
    expect(Math.abs(alpha! - 0.743)).toBeLessThan(1e-3);
    // By hand: unit 12 has one value and is skipped, so n = 40 pairable values. Disagreeing pairs,
    // Σ_u (m_u² − Σ_c n_uc²) / (m_u − 1): unit 2 (2,2,3,2) 6/3 = 2, unit 6 (1,2,3,4) 12/3 = 4,
    // unit 8 (1,1,2,1) 6/3 = 2, all others 0 → 8. Value totals n_c: 1→9, 2→13, 3→10, 4→5, 5→3,
    // Σ n_c² = 384. α = 1 − 39 · 8 / (1600 − 384) = 1 − 312/1216 = 0.74342.
    expect(alpha).toBeCloseTo(1 - 312 / 1216, 12);
  });

  it('matches Krippendorff (2011): binary data, 2 observers, 10 units → α = 0.095', () => {
    const a = '0100000010'.split('');
    const b = '1110010000'.split('');
    const alpha = krippendorffAlpha(a.map((x, i) => [x, b[i]!]));
    expect(alpha).toBeCloseTo(0.095, 3);
    expect(alpha).toBeCloseTo(1 - (19 * 8) / (400 - (14 * 14 + 6 * 6)), 12);
  });

  it('skips units with fewer than 2 values', () => {
    const base = [
      ['a', 'a'],
      ['b', 'b', 'b'],
      ['a', 'b'],
    ];
    expect(krippendorffAlpha([...base, ['c'], []])).toBe(krippendorffAlpha(base));
  });

  it('is 1 for perfect agreement and null without variation or pairable units', () => {
    expect(
      krippendorffAlpha([
        ['a', 'a', 'a'],
        ['b', 'b'],
      ]),
    ).toBe(1);
    expect(
      krippendorffAlpha([
        ['a', 'a'],
        ['a', 'a', 'a'],
      ]),
    ).toBeNull();
    expect(krippendorffAlpha([['a'], ['b'], []])).toBeNull();
    expect(krippendorffAlpha([])).toBeNull();
  });
});

describe('agreement over label events', () => {
  /** Per example: annotator 1's label, annotator 2's label (null: not labeled). */
  const labels: [string | null, string | null, string | null][] = [
    ['spam', 'spam', null],
    ['spam', 'ham', 'ham'],
    ['ham', 'ham', null],
    ['ham', 'ham', null],
    ['spam', null, 'spam'],
  ];
  const items = labels.map((row, example) => {
    const events: LabelEvent[] = row.flatMap((label, annotator) =>
      label === null
        ? []
        : [
            {
              id: example * 10 + annotator,
              annotatorId: annotator + 1,
              schemaVersionId: 1,
              action: 'label' as const,
              labels: [label],
              createdAt: 0,
            },
          ],
    );
    return agreementValues(currentLabels(events));
  });

  it("gives Cohen's kappa per pair of annotators over their shared items", () => {
    const s = '["spam"]';
    const h = '["ham"]';
    expect(pairwiseKappa(items)).toEqual([
      {
        annotatorA: 1,
        annotatorB: 2,
        items: 4,
        kappa: cohensKappa([
          [s, s],
          [s, h],
          [h, h],
          [h, h],
        ]),
      },
      // 1 vs 3 share examples 2 (spam/ham) and 5 (spam/spam): p_o = 1/2, p_e = 1 · 1/2 → κ = 0.
      { annotatorA: 1, annotatorB: 3, items: 2, kappa: 0 },
      { annotatorA: 2, annotatorB: 3, items: 1, kappa: null },
    ]);
    // 1 vs 2: p_o = 3/4, p_e = (2/4)(1/4) + (2/4)(3/4) = 1/2 → κ = 0.5.
    expect(pairwiseKappa(items)[0]!.kappa).toBeCloseTo(0.5, 12);
  });

  it("gives Krippendorff's alpha over all annotators", () => {
    expect(alphaOverItems(items)).toBe(
      krippendorffAlpha([
        ['["spam"]', '["spam"]'],
        ['["spam"]', '["ham"]', '["ham"]'],
        ['["ham"]', '["ham"]'],
        ['["ham"]', '["ham"]'],
        ['["spam"]', '["spam"]'],
      ]),
    );
  });
});
