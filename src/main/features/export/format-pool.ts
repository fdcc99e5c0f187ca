import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { builtEntry } from '../../core/entry-points';
import type { FileSink } from './file-sink';
import type { FormatJob, FormatResult, FormatWorkerInit } from './format-protocol';
import type { Selection } from './select-rows';

const CHUNK = 1000;
const MAX_WORKERS = 4;
/** Chunks each worker holds at once: one formatting, one waiting, so it never idles. */
const IN_FLIGHT = 4;

/**
 * Reads and formats the selected rows in worker threads, a chunk at a time, and writes the chunks
 * to their split files in order: the bytes are the same whatever the number of workers.
 */
export async function formatInWorkers(
  init: FormatWorkerInit,
  sel: Selection,
  split: Uint8Array,
  sinks: FileSink[],
  progress: (done: number, total: number) => void,
): Promise<{ longestLine: number }> {
  const n = sel.exampleIds.length;
  const chunks = Math.ceil(n / CHUNK);
  const count = Math.max(1, Math.min(MAX_WORKERS, os.availableParallelism(), chunks));
  const workers = Array.from({ length: count }, () => new Worker(builtEntry('format-worker'), { workerData: init }));
  try {
    return await new Promise<{ longestLine: number }>((resolve, reject) => {
      let next = 0;
      let written = 0;
      let failed = false;
      let longestLine = 0;
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
        const start = seq * CHUNK;
        const end = Math.min(n, start + CHUNK);
        const job: FormatJob = {
          seq,
          ids: sel.exampleIds.slice(start, end),
          labelIndex: sel.labelIndex.slice(start, end),
          source: sel.source.slice(start, end),
          split: split.slice(start, end),
        };
        w.postMessage(job);
      };
      const writeReady = () => {
        for (let r = ready.get(written); r; r = ready.get(written)) {
          ready.delete(written);
          r.parts.forEach((bytes, s) => {
            sinks[s]!.writeBytes(bytes);
            sinks[s]!.rows += r.rows[s]!;
          });
          written++;
          progress(Math.min(n, written * CHUNK), n);
        }
        while (idle.length > 0 && next < chunks && next < written + ahead) send(idle.shift()!);
      };
      for (const w of workers) {
        w.on('message', (r: FormatResult) => {
          if (failed) return;
          if ('error' in r) return fail(new Error(r.error));
          ready.set(r.seq, r);
          longestLine = Math.max(longestLine, r.longestLine);
          try {
            writeReady();
          } catch (e) {
            return fail(e as Error);
          }
          if (written === chunks) return resolve({ longestLine });
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
