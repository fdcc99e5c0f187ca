// Worker thread of an export, on its own read-only connection: chooses rows (label derivation
// and filters) or formats them as JSONL or CSV lines or Parquet row groups, so two cores share
// both passes of an export.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../store/database';
import { ExportReadQueries, yieldToCheckpoints, type ExportExampleRow } from '../../store/export-reads';
import type { FormatJob, FormatOutput, FormatWorkerInit, SharedPart } from './format-protocol';
import type { SelectJob, SelectWorkerInit } from './select-in-workers';
import { RowSelector, type SelectedChunk } from './select-rows';
import { ByteBuilder } from './byte-builder';
import { ExportColumns } from './parquet/export-columns';
import type { RowGroupInfo } from './parquet/parquet-format';
import { RowFormat } from './row-format';
import { JobScores, jsonlScoreKeys, type JsonlScoreKeys } from './score-columns';
import type { ExportWorkerData } from './worker-pool';

const READ_CHUNK = 1000;
const ROW_GROUP_BYTES = 64 << 20;

const where = workerData as ExportWorkerData;
const db = openDatabase(where.dbPath, {
  readonly: true,
  ...(where.nativeBinding ? { nativeBinding: where.nativeBinding } : {}),
});
/** The pass under way: set by the init message that comes before its jobs. */
let init: FormatWorkerInit | SelectWorkerInit | null = null;
const reads = new ExportReadQueries(db);

/** The job's ids a thousand at a time, each chunk read by `read` in a short read transaction. */
function* chunksOf<T>(job: FormatJob, read: (ids: Int32Array) => T): Generator<[T, Int32Array, number]> {
  for (let start = 0; start < job.ids.length; start += READ_CHUNK) {
    const ids = job.ids.subarray(start, start + READ_CHUNK);
    yieldToCheckpoints(where.dbPath);
    yield [read(ids), ids, start];
  }
}

function vanished(id: number): Error {
  return new Error(`example ${id} vanished during the export`);
}

/** The rows' examples, with their positions in the job. */
function* examplesOf(job: FormatJob): Generator<[ExportExampleRow, number]> {
  for (const [rows, ids, start] of chunksOf(job, (ids) => reads.examples(ids))) {
    for (let i = 0; i < ids.length; i++) {
      const ex = rows[i];
      if (!ex || ex.id !== ids[i]) throw vanished(ids[i]!);
      yield [ex, start + i];
    }
  }
}

function labelsOf(fmt: FormatWorkerInit, job: FormatJob, i: number): [string[], 'human' | 'model'] {
  return [fmt.labelSets[job.labelIndex[i]!]!, job.source[i] === 1 ? 'model' : 'human'];
}

/** Bytes per line seen so far: sizes the next chunk's buffers, which then rarely grow (a copy each time). */
let bytesPerLine = 1024;

/**
 * A builder per split. With shared slots, each starts on its share of the job's slot, by its
 * rows; one that outgrows it goes on in a buffer of its own, sent over as before.
 */
function lineBuilders(fmt: FormatWorkerInit, job: FormatJob, counts: number[]): ByteBuilder[] {
  const own = (n: number) => new ByteBuilder(Math.ceil(n * bytesPerLine * 1.1) + 4096);
  if (!fmt.shared) return counts.map(own);
  const { buffer, slotBytes, slots } = fmt.shared;
  let at = (job.seq % slots) * slotBytes;
  return counts.map((n) => {
    const share = Math.floor((slotBytes * n) / job.split.length);
    if (n === 0 || share < 4096) return own(n);
    const builder = new ByteBuilder(0, Buffer.from(buffer, at, share));
    at += share;
    return builder;
  });
}

/** A split's bytes: where they lie in the shared slots, or a buffer of their own to transfer. */
function partOf(fmt: FormatWorkerInit, out: ByteBuilder): SharedPart | Uint8Array {
  const bytes = out.view();
  if (fmt.shared && bytes.buffer === fmt.shared.buffer) return { at: bytes.byteOffset, length: bytes.length };
  return bytes;
}

/** The job's scores, where the export carries score runs. */
function scoresOf(fmt: FormatWorkerInit, job: FormatJob): JobScores | undefined {
  return fmt.scores ? new JobScores(reads, fmt.scores, job.ids) : undefined;
}

function formatLines(fmt: FormatWorkerInit, format: RowFormat, job: FormatJob): FormatReply {
  const counts = new Array<number>(fmt.splits).fill(0);
  for (let i = 0; i < job.split.length; i++) counts[job.split[i]!]!++;
  const outs = lineBuilders(fmt, job, counts);
  const scores = scoresOf(fmt, job);
  if (fmt.format === 'csv') {
    for (const [ex, i] of examplesOf(job)) {
      const [labels, source] = labelsOf(fmt, job, i);
      outs[job.split[i]!]!.utf8(format.csv(ex, labels, source, scores?.csv(i)));
    }
  } else {
    for (const [columns, ids, start] of chunksOf(job, (ids) => reads.jsonlColumns(ids))) {
      for (let r = 0; r < ids.length; r++) {
        if (columns.ids[r] !== ids[r]) throw vanished(ids[r]!);
        const [labels, source] = labelsOf(fmt, job, start + r);
        const extra = scores?.jsonl(start + r, (scoreKeys ??= jsonlScoreKeys(fmt.scores!)));
        format.jsonl(outs[job.split[start + r]!]!, columns, r, labels, source, extra);
      }
    }
  }
  const bytes = outs.reduce((sum, o) => sum + o.length, 0);
  if (job.ids.length > 0) bytesPerLine = Math.max(64, bytes / job.ids.length);
  return {
    seq: job.seq,
    parts: outs.map((o) => partOf(fmt, o)),
    rows: counts,
    ...(scores ? { unscored: scores.unscored } : {}),
  };
}

/** Bytes in one buffer of their own: a pooled Buffer (small ones are) cannot be transferred. */
function ownBuffer(parts: Uint8Array[]): Uint8Array {
  const out = Buffer.allocUnsafeSlow(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Row groups of one split: a new one past ROW_GROUP_BYTES, a guard should a job's estimate be off. */
function formatRowGroups(fmt: FormatWorkerInit, job: FormatJob): FormatReply {
  const split = job.split[0] ?? 0;
  const bytes: Uint8Array[] = [];
  const rowGroups: RowGroupInfo[] = [];
  let at = 0;
  let columns: ExportColumns | null = null;
  const scores = scoresOf(fmt, job);
  const flush = (group: ExportColumns) => {
    const encoded = group.encode();
    rowGroups.push({ ...encoded.group, columns: encoded.group.columns.map((c) => ({ ...c, offset: c.offset + at })) });
    for (const b of encoded.bytes) {
      bytes.push(b);
      at += b.length;
    }
  };
  for (const [ex, i] of examplesOf(job)) {
    if (job.split[i] !== split) throw new Error('a Parquet job holds rows of one split');
    const [labels, source] = labelsOf(fmt, job, i);
    columns ??= new ExportColumns(fmt.project, fmt.scores);
    columns.add(ex, labels, source, scores, i);
    if (columns.bytes > ROW_GROUP_BYTES) {
      flush(columns);
      columns = null;
    }
  }
  if (columns) flush(columns);
  const parts = Array.from({ length: fmt.splits }, (_, s) => (s === split ? ownBuffer(bytes) : new Uint8Array(0)));
  const rows = Array.from({ length: fmt.splits }, (_, s) => (s === split ? job.ids.length : 0));
  return { seq: job.seq, parts, rows, rowGroups, ...(scores ? { unscored: scores.unscored } : {}) };
}

type FormatReply = FormatOutput<Uint8Array | SharedPart> & { seq: number };
type Reply = FormatReply | (SelectedChunk & { seq: number }) | { seq: number; error: string };

function handle(job: FormatJob | SelectJob): Reply {
  if (!init) throw new Error('a job came before its pass was set');
  if (init.task === 'select') {
    selector ??= new RowSelector(reads, init.plan);
    const { between, ids } = job as SelectJob;
    return { seq: job.seq, ...(between ? selector.between(...between) : selector.chunk(ids!)) };
  }
  format ??= new RowFormat(init.project);
  return init.format === 'parquet'
    ? formatRowGroups(init, job as FormatJob)
    : formatLines(init, format, job as FormatJob);
}

let selector: RowSelector | null = null;
let format: RowFormat | null = null;
let scoreKeys: JsonlScoreKeys | null = null;

parentPort!.on('message', (m: FormatJob | SelectJob | { init: FormatWorkerInit | SelectWorkerInit }) => {
  if ('init' in m) {
    init = m.init;
    selector = null;
    format = null;
    scoreKeys = null;
    return;
  }
  try {
    const reply = handle(m);
    const transfer =
      'parts' in reply ? reply.parts.flatMap((p) => ('buffer' in p ? [p.buffer as ArrayBuffer] : [])) : [];
    parentPort!.postMessage(reply, transfer);
  } catch (e) {
    parentPort!.postMessage({ seq: m.seq, error: (e as Error).message } satisfies Reply);
  }
});
