import { describe, expect, it } from 'vitest';
import { exportWarnings } from './export-warnings';

const split = (rows: number, labels: Record<string, number>) => ({ rows, labels });

describe('export warnings', () => {
  it('names a split under 30 rows and a label under 5 in a split, with the label names people use', () => {
    const w = exportWarnings(
      { train: split(200, { a: 150, b: 50 }), validation: split(40, { a: 37, b: 3 }), test: split(12, { a: 12 }) },
      { kind: 'random', fractions: [0.8, 0.1, 0.1], seed: 1 },
      { a: 'Alpha', b: 'Beta' },
    );
    expect(w).toEqual([
      expect.stringMatching(/^test holds only 12 rows/),
      expect.stringMatching(/^In validation, one label has fewer than 5 examples: Beta \(3\)/),
      expect.stringMatching(/^In test, one label has fewer than 5 examples: Beta \(0\)/),
    ]);
  });

  it("says a time split's test is the newest labeled examples, and suggests cut-offs", () => {
    const counts = {
      train: split(800, { a: 400, b: 400 }),
      validation: split(100, { a: 50, b: 50 }),
      test: split(100, { a: 50, b: 50 }),
    };
    const w = exportWarnings(counts, { kind: 'time-fractions', fractions: [0.8, 0.1, 0.1] }, {});
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/test is the newest labeled examples/);
    expect(w[0]).toMatch(/cut-off dates/);
    expect(exportWarnings(counts, { kind: 'time-cutoffs', cutoffs: [1, 2] }, {})).toEqual([]);
  });
});
