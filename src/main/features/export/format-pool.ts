import type { FormatJob, FormatOutput, FormatWorkerInit, SharedPart } from './format-protocol';
import type { ExportWorkers } from './worker-pool';
import type { Selection } from './select-rows';

const CHUNK = 1000;
/** Rows of a Parquet job: whole row groups of about this many rows. */
const PARQUET_CHUNK = 16_384;
/**
 * Estimated bytes of a job: long texts cut jobs short, so what the workers hold at once stays
 * bounded (jobs in flight × this) whatever the rows hold. A job holds its text several times
 * over (SQLite's read, its copy, the lines or encoded pages, their compressed copy), and four a
 * worker are out at once. Exporting 20,000 rows of 63 KB: JSONL 593–608 MB peak with 16 MB jobs,
 * 340–354 MB with 4 MB; Parquet 707 MB with 16 MB, 537 MB with 8 MB, 422 MB with 4 MB.
 */
const LINE_JOB_BYTES = 4 << 20;
/**
 * Parquet jobs are whole row groups: at 8 MB the 1M-row bench's jobs stay ~16,000 rows, as they
 * were at 16 MB. (At 4 MB, two of six runs of that bench were far slower, 109k and 127k rows/s
 * against 170k–199k: the machine's slow spells, most likely, but not shown to be.)
 */
const PARQUET_JOB_BYTES = 8 << 20;

/**
 * Room for a line job's bytes, for each job in flight: a line job holds up to LINE_JOB_BYTES of
 * estimated rows, and the estimate is rough (JSON escapes, feature text), so a slot has half as
 * much again. Pages are touched only as jobs fill them.
 */
function sharedSlots(slots: number): NonNullable<FormatWorkerInit['shared']> {
  const slotBytes = LINE_JOB_BYTES + (LINE_JOB_BYTES >> 1);
  return { buffer: new SharedArrayBuffer(slots * slotBytes), slotBytes, slots };
}

/** The jobs of an export: ranges over the rows in `order` (positions in the selection). */
interface JobPlan {
  order: Int32Array | null;
  ranges: [start: number, end: number][];
}

/**
 * Lines go in chunks of the selection as it stands; Parquet jobs hold one split each, the
 * split's rows in id order, so each becomes whole row groups of one file. A job ends at its
 * row count or its estimated bytes, whichever comes first (one row at least).
 */
export function planJobs(init: FormatWorkerInit, sel: Selection, split: Uint8Array): JobPlan {
  const n = split.length;
  const parquet = init.format === 'parquet';
  const maxRows = parquet ? PARQUET_CHUNK : CHUNK;
  const maxBytes = parquet ? PARQUET_JOB_BYTES : LINE_JOB_BYTES;
  // Fixed fields and the features, as text at most ~12 bytes a float.
  const rowBytes = 256 + 12 * (init.project.featureNames?.length ?? 0);
  const ranges: [number, number][] = [];
  const cut = (order: Int32Array | null, from: number, to: number) => {
    let start = from;
    let bytes = 0;
    for (let i = from; i < to; i++) {
      const row = order ? order[i]! : i;
      const size = rowBytes + sel.bytes[row]!;
      if (i > start && (i - start >= maxRows || bytes + size > maxBytes)) {
        ranges.push([start, i]);
        start = i;
        bytes = 0;
      }
      bytes += size;
    }
    if (to > start) ranges.push([start, to]);
  };
  if (!parquet) {
    cut(null, 0, n);
    return { order: null, ranges };
  }
  const order = new Int32Array(n);
  let at = 0;
  for (let s = 0; s < init.splits; s++) {
    const first = at;
    for (let i = 0; i < n; i++) if (split[i] === s) order[at++] = i;
    cut(order, first, at);
  }
  return { order, ranges };
}

/**
 * Reads and formats the selected rows in worker threads, a job at a time, and hands the results
 * to `write` in job order: the bytes are the same whatever the number of workers.
 */
export async function formatInWorkers(
  workers: ExportWorkers,
  init: FormatWorkerInit,
  sel: Selection,
  split: Uint8Array,
  write: (result: FormatOutput) => void,
  progress: (done: number, total: number) => void,
): Promise<void> {
  const plan = planJobs(init, sel, split);
  const total = sel.exampleIds.length;
  let done = 0;
  const shared = init.format === 'parquet' ? undefined : sharedSlots(workers.jobsAhead);
  const inPlace = (p: Uint8Array | SharedPart) => ('buffer' in p ? p : new Uint8Array(shared!.buffer, p.at, p.length));
  await workers.run<FormatJob, FormatOutput<Uint8Array | SharedPart>>({
    init: shared ? { ...init, shared } : init,
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
      // Written before the next job is given this slot: the pool sends job seq + slots only after job seq was taken.
      write({ ...result, parts: result.parts.map(inPlace) });
      done += result.rows.reduce((a, b) => a + b, 0);
      progress(done, total);
    },
  });
}
