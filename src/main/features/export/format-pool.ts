import type { FormatJob, FormatOutput, FormatWorkerInit } from './format-protocol';
import { runInWorkers } from './worker-pool';
import type { Selection } from './select-rows';

const CHUNK = 1000;
/** Rows of a Parquet job: whole row groups of about this many rows. */
const PARQUET_CHUNK = 16_384;

/** The jobs of an export: ranges over the rows in `order` (positions in the selection). */
interface JobPlan {
  order: Int32Array | null;
  ranges: [start: number, end: number][];
}

/**
 * Lines go in chunks of the selection as it stands; Parquet jobs hold one split each, the
 * split's rows in id order, so each becomes whole row groups of one file.
 */
function planJobs(format: FormatWorkerInit['format'], split: Uint8Array, splits: number): JobPlan {
  const n = split.length;
  const ranges: [number, number][] = [];
  if (format !== 'parquet') {
    for (let start = 0; start < n; start += CHUNK) ranges.push([start, Math.min(n, start + CHUNK)]);
    return { order: null, ranges };
  }
  const order = new Int32Array(n);
  let at = 0;
  for (let s = 0; s < splits; s++) {
    const first = at;
    for (let i = 0; i < n; i++) if (split[i] === s) order[at++] = i;
    for (let start = first; start < at; start += PARQUET_CHUNK)
      ranges.push([start, Math.min(at, start + PARQUET_CHUNK)]);
  }
  return { order, ranges };
}

/**
 * Reads and formats the selected rows in worker threads, a job at a time, and hands the results
 * to `write` in job order: the bytes are the same whatever the number of workers.
 */
export async function formatInWorkers(
  init: FormatWorkerInit,
  sel: Selection,
  split: Uint8Array,
  write: (result: FormatOutput) => void,
  progress: (done: number, total: number) => void,
): Promise<void> {
  const plan = planJobs(init.format, split, init.splits);
  const total = sel.exampleIds.length;
  let done = 0;
  await runInWorkers<FormatJob, FormatOutput>({
    init,
    count: plan.ranges.length,
    job: (seq) => {
      const [start, end] = plan.ranges[seq]!;
      const take = <T extends Int32Array | Uint8Array>(column: T): T => {
        if (!plan.order) return column.slice(start, end) as T;
        const out = new (column.constructor as new (n: number) => T)(end - start);
        for (let i = start; i < end; i++) out[i - start] = column[plan.order[i]!]!;
        return out;
      };
      return {
        message: {
          seq,
          ids: take(sel.exampleIds),
          labelIndex: take(sel.labelIndex),
          source: take(sel.source),
          split: take(split),
        },
      };
    },
    take: (result) => {
      write(result);
      done += result.rows.reduce((a, b) => a + b, 0);
      progress(done, total);
    },
  });
}
