import { describe, expect, it } from 'vitest';
import { kCenterGreedy, needsColdStart } from './cold-start';
import type { DenseDesign, SparseDesign } from './design';

const dense = (rows: number[][]): DenseDesign => ({
  kind: 'dense',
  rows: rows.length,
  dim: rows[0]!.length,
  values: Float32Array.from(rows.flat()),
});

describe('kCenterGreedy', () => {
  it('cosine, worked by hand on five directions in the plane', () => {
    // Rows at 0°, 10°, 90°, 180°, 95°. Their unit vectors sum to (0.898, 2.170), a mean direction of
    // ~67.5°, nearest to 90° (row 2): picked first. Farthest from 90° are 0° and 180° (1 − cos 90° = 1
    // each): the tie goes to row 0. Then the distances to {90°, 0°} are 10°: 1 − cos 10° = 0.015,
    // 180°: 1, 95°: 1 − cos 5° = 0.004, so row 3; then 10° (row 1) before 95° (row 4).
    const deg = (a: number) => [Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180)];
    const x = dense([[1, 0], deg(10), [0, 1], [-1, 0], deg(95)]);
    expect(Array.from(kCenterGreedy(x, 4))).toEqual([2, 0, 3, 1]);
    expect(Array.from(kCenterGreedy(x, 9))).toEqual([2, 0, 3, 1, 4]);
    // Scaling a row does not move it under cosine.
    const scaled = dense([[5, 0], deg(10), [0, 3], [-2, 0], deg(95)]);
    expect(Array.from(kCenterGreedy(scaled, 4))).toEqual([2, 0, 3, 1]);
  });

  it('euclidean, worked by hand on the line: 0, 1, 10, 4', () => {
    // Mean 3.75: nearest is 4 (row 3). Farthest from 4: 10 (row 2). Then min distances: 0 → 4, 1 → 3: row 0.
    expect(Array.from(kCenterGreedy(dense([[0], [1], [10], [4]]), 4, { metric: 'euclidean' }))).toEqual([3, 2, 0, 1]);
  });

  it('gives the same picks over a sparse design', () => {
    const rows = [
      [1, 0, 0, 2],
      [0, 1, 0, 0],
      [3, 0, 1, 0],
      [0, 0, 0, 0],
      [0, 2, 2, 0],
      [1, 1, 1, 1],
    ];
    const x = dense(rows);
    const indptr = [0];
    const indices: number[] = [];
    const values: number[] = [];
    for (const row of rows) {
      row.forEach((v, j) => v !== 0 && (indices.push(j), values.push(v)));
      indptr.push(indices.length);
    }
    const s: SparseDesign = {
      kind: 'sparse',
      rows: 6,
      dim: 4,
      indptr: Int32Array.from(indptr),
      indices: Int32Array.from(indices),
      values: Float32Array.from(values),
    };
    for (const metric of ['cosine', 'euclidean'] as const) {
      expect(Array.from(kCenterGreedy(s, 6, { metric }))).toEqual(Array.from(kCenterGreedy(x, 6, { metric })));
    }
    expect(new Set(kCenterGreedy(x, 6)).size).toBe(6);
  });

  it('never repeats a row, even among duplicates', () => {
    expect(
      Array.from(
        kCenterGreedy(
          dense([
            [1, 1],
            [1, 1],
            [1, 1],
          ]),
          3,
        ),
      ),
    ).toEqual([0, 1, 2]);
  });

  it('returns nothing for k = 0 and refuses a negative k', () => {
    expect(kCenterGreedy(dense([[1]]), 0)).toHaveLength(0);
    expect(() => kCenterGreedy(dense([[1]]), -1)).toThrow(/k must/);
  });
});

describe('needsColdStart', () => {
  it('holds until every class has minPerClass labels', () => {
    expect(needsColdStart([5, 4])).toBe(true);
    expect(needsColdStart([5, 5])).toBe(false);
    expect(needsColdStart([0, 9, 9])).toBe(true);
    expect(needsColdStart([2, 2], 2)).toBe(false);
  });
});
