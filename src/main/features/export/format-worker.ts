// Worker thread of an export: reads examples on its own read-only connection and formats them as
// JSONL or CSV lines or Parquet row groups, so two cores share the export's heaviest part.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../store/database';
import { ExportReadQueries, yieldToCheckpoints, type ExportExampleRow } from '../../store/export-reads';
import type { FormatJob, FormatResult, FormatWorkerInit } from './format-protocol';
import { ByteBuilder } from './byte-builder';
import { ExportColumns } from './parquet/export-columns';
import type { RowGroupInfo } from './parquet/parquet-format';
import { RowFormat } from './row-format';

const READ_CHUNK = 1000;
const ROW_GROUP_BYTES = 64 << 20;

const init = workerData as FormatWorkerInit;
const db = openDatabase(init.dbPath, {
  readonly: true,
  ...(init.nativeBinding ? { nativeBinding: init.nativeBinding } : {}),
});
const reads = new ExportReadQueries(db);
const format = new RowFormat(init.project);

/** The rows' examples, read a thousand at a time (short read transactions). */
function* examplesOf(job: FormatJob): Generator<[ExportExampleRow, number]> {
  for (let start = 0; start < job.ids.length; start += READ_CHUNK) {
    const ids = job.ids.subarray(start, start + READ_CHUNK);
    yieldToCheckpoints(init.dbPath);
    const rows = reads.examples(ids);
    for (let i = 0; i < ids.length; i++) {
      const ex = rows[i];
      if (!ex || ex.id !== ids[i]) throw new Error(`example ${ids[i]} vanished during the export`);
      yield [ex, start + i];
    }
  }
}

function labelsOf(job: FormatJob, i: number): [string[], 'human' | 'model'] {
  return [init.labelSets[job.labelIndex[i]!]!, job.source[i] === 1 ? 'model' : 'human'];
}

function formatLines(job: FormatJob): FormatResult {
  const outs = Array.from({ length: init.splits }, () => new ByteBuilder());
  const counts = new Array<number>(init.splits).fill(0);
  for (const [ex, i] of examplesOf(job)) {
    const [labels, source] = labelsOf(job, i);
    const s = job.split[i]!;
    if (init.format === 'csv') outs[s]!.utf8(format.csv(ex, labels, source));
    else format.jsonl(outs[s]!, ex, labels, source);
    counts[s]!++;
  }
  return { seq: job.seq, parts: outs.map((o) => o.view()), rows: counts };
}

/** Row groups of one split: a new one past ROW_GROUP_BYTES, so huge texts cannot pile up. */
function formatRowGroups(job: FormatJob): FormatResult {
  const split = job.split[0] ?? 0;
  const bytes: Uint8Array[] = [];
  const rowGroups: RowGroupInfo[] = [];
  let at = 0;
  let columns = new ExportColumns(init.project);
  const flush = () => {
    const encoded = columns.encode();
    rowGroups.push({ ...encoded.group, columns: encoded.group.columns.map((c) => ({ ...c, offset: c.offset + at })) });
    for (const b of encoded.bytes) {
      bytes.push(b);
      at += b.length;
    }
    columns = new ExportColumns(init.project);
  };
  for (const [ex, i] of examplesOf(job)) {
    if (job.split[i] !== split) throw new Error('a Parquet job holds rows of one split');
    const [labels, source] = labelsOf(job, i);
    columns.add(ex, labels, source);
    if (columns.bytes > ROW_GROUP_BYTES) flush();
  }
  if (columns.count > 0) flush();
  const parts = Array.from({ length: init.splits }, (_, s) => (s === split ? Buffer.concat(bytes) : new Uint8Array(0)));
  const rows = Array.from({ length: init.splits }, (_, s) => (s === split ? job.ids.length : 0));
  return { seq: job.seq, parts, rows, rowGroups };
}

parentPort!.on('message', (job: FormatJob) => {
  let result: FormatResult;
  try {
    result = init.format === 'parquet' ? formatRowGroups(job) : formatLines(job);
  } catch (e) {
    result = { seq: job.seq, error: (e as Error).message };
  }
  parentPort!.postMessage(result, 'parts' in result ? result.parts.map((p) => p.buffer as ArrayBuffer) : []);
});
