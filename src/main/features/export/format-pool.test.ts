import { describe, expect, it } from 'vitest';
import type { Project } from '../../../shared/features/projects/contract';
import type { FormatWorkerInit } from './format-protocol';
import { planJobs } from './format-pool';
import type { Selection } from './select-rows';

const project: Project = {
  id: 1,
  name: 'p',
  taskType: 'multiclass',
  inputKind: 'text',
  classes: ['a', 'b'],
  featureNames: null,
  createdAt: 0,
};

function init(format: FormatWorkerInit['format']): FormatWorkerInit {
  return { task: 'format', project, format, labelSets: [['a']], splits: 3 };
}

function selection(bytes: number[]): Selection {
  const n = bytes.length;
  return {
    exampleIds: Int32Array.from({ length: n }, (_, i) => i + 1),
    externalIds: bytes.map((_, i) => `e${i}`),
    ts: new Float64Array(n),
    bytes: Int32Array.from(bytes),
    groups: null,
    labelIndex: new Int32Array(n),
    labelSets: [['a']],
    source: new Uint8Array(n),
  };
}

describe('planJobs', () => {
  it('cuts line jobs at 1,000 rows, or sooner where long texts would make a job too large', () => {
    const plain = planJobs(init('jsonl'), selection(new Array(2500).fill(200)), new Uint8Array(2500));
    expect(plain.ranges).toEqual([
      [0, 1000],
      [1000, 2000],
      [2000, 2500],
    ]);
    const mb = 1 << 20;
    const long = planJobs(init('jsonl'), selection([2 * mb, mb, 100, 5 * mb, 100]), new Uint8Array(5));
    // 4 MB a line job: a 5 MB row goes alone, and every row goes somewhere, once, in order.
    expect(long.ranges).toEqual([
      [0, 3],
      [3, 4],
      [4, 5],
    ]);
    // A Parquet job, whole row groups, holds up to 8 MB.
    const groups = planJobs(init('parquet'), selection([2 * mb, 5 * mb, 2 * mb, 5 * mb]), new Uint8Array(4));
    expect(groups.ranges).toEqual([
      [0, 2],
      [2, 4],
    ]);
  });

  it('gives Parquet jobs the rows of one split each, in id order', () => {
    const split = Uint8Array.from([2, 0, 1, 0, 2, 0]);
    const plan = planJobs(init('parquet'), selection(new Array(6).fill(100)), split);
    expect(Array.from(plan.order!)).toEqual([1, 3, 5, 2, 0, 4]);
    expect(plan.ranges).toEqual([
      [0, 3],
      [3, 4],
      [4, 6],
    ]);
  });
});
