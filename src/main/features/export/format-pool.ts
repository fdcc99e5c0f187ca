import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { builtEntry } from '../../core/entry-points';
import type { FormatJob, FormatResult, FormatWorkerInit } from './format-protocol';
import type { Selection } from './select-rows';

const CHUNK = 1000;
/** Rows of a Parquet job: whole row groups of about this many rows. */
const PARQUET_CHUNK = 16_384;
const MAX_WORKERS = 4;
/** Chunks each worker holds at once: one formatting, one waiting, so it never idles. */
const IN_FLIGHT = 4;

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
  write: (result: Extract<FormatResult, { parts: Uint8Array[] }>) => void,
  progress: (done: number, total: number) => void,
): Promise<void> {
  const n = sel.exampleIds.length;
  const plan = planJobs(init.format, split, init.splits);
  const chunks = plan.ranges.length;
  const count = Math.max(1, Math.min(MAX_WORKERS, os.availableParallelism(), chunks));
  const workers = Array.from({ length: count }, () => new Worker(builtEntry('format-worker'), { workerData: init }));
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let written = 0;
      let failed = false;
      const ready = new Map<number, Extract<FormatResult, { parts: Uint8Array[] }>>();
      const fail = (e: Error) => {
        if (failed) return;
        failed = true;
        reject(e);
      };
      // Chunks given out may run at most this far ahead of the writer: a worker that stalls (a
      // checkpoint pause, huge rows) must not let the others fill memory with finished chunks.
      const ahead = count * IN_FLIGHT;
      const idle: Worker[] = [];
      const send = (w: Worker) => {
        if (next >= chunks) return;
        if (next >= written + ahead) {
          idle.push(w);
          return;
        }
        const seq = next++;
        const [start, end] = plan.ranges[seq]!;
        const take = <T extends Int32Array | Uint8Array>(column: T): T => {
          if (!plan.order) return column.slice(start, end) as T;
          const out = new (column.constructor as new (n: number) => T)(end - start);
          for (let i = start; i < end; i++) out[i - start] = column[plan.order[i]!]!;
          return out;
        };
        const job: FormatJob = {
          seq,
          ids: take(sel.exampleIds),
          labelIndex: take(sel.labelIndex),
          source: take(sel.source),
          split: take(split),
        };
        w.postMessage(job);
      };
      let rowsWritten = 0;
      const writeReady = () => {
        for (let r = ready.get(written); r; r = ready.get(written)) {
          ready.delete(written);
          write(r);
          rowsWritten += r.rows.reduce((a, b) => a + b, 0);
          written++;
          progress(rowsWritten, n);
        }
        while (idle.length > 0 && next < chunks && next < written + ahead) send(idle.shift()!);
      };
      for (const w of workers) {
        w.on('message', (r: FormatResult) => {
          if (failed) return;
          if ('error' in r) return fail(new Error(r.error));
          ready.set(r.seq, r);
          try {
            writeReady();
          } catch (e) {
            return fail(e as Error);
          }
          if (written === chunks) return resolve();
          send(w);
        });
        w.on('error', fail);
        w.on('exit', (code) => {
          if (written < chunks)
            fail(new Error(`an export worker stopped (exit code ${code}) before the export was written`));
        });
        for (let i = 0; i < IN_FLIGHT; i++) send(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
