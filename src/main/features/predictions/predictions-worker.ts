// Worker thread that writes one model run's predictions to a file, on its own read-only
// connection, so a million rows never hold up the thread that serves annotators.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../store/database';
import { yieldToCheckpoints } from '../../store/export-reads';
import { PredictionReads } from '../../store/prediction-reads';
import { FileSink } from '../export/file-sink';
import { ParquetSink } from '../export/parquet/parquet-sink';
import type { PredictionsWorkerData, PredictionsWorkerMessage } from './layout';
import { PredictionColumns, predictionsSchema } from './prediction-columns-parquet';
import { csvHeader, csvLine, jsonLine } from './prediction-lines';

const CHUNK = 2000;
const ROW_GROUP_ROWS = 100_000;

const job = workerData as PredictionsWorkerData;
const post = (m: PredictionsWorkerMessage) => parentPort!.postMessage(m);

async function write(): Promise<void> {
  const db = openDatabase(job.dbPath, {
    readonly: true,
    ...(job.nativeBinding ? { nativeBinding: job.nativeBinding } : {}),
  });
  const reads = new PredictionReads(db);
  const total = reads.count(job.modelRunId);
  const parquet =
    job.format === 'parquet' ? new ParquetSink(job.file, predictionsSchema(job.layout), job.createdBy) : null;
  const sink = parquet?.file ?? new FileSink(job.file);
  let group = parquet ? new PredictionColumns(job.layout) : null;
  const flush = () => {
    if (!parquet || !group || group.rows === 0) return;
    const { bytes, group: info } = group.encode();
    const size = bytes.reduce((n, b) => n + b.length, 0);
    const joined = new Uint8Array(size);
    let at = 0;
    for (const b of bytes) {
      joined.set(b, at);
      at += b.length;
    }
    parquet.append(joined, [info], info.numRows);
    group = new PredictionColumns(job.layout);
  };
  try {
    if (job.format === 'csv') sink.write(csvHeader(job.layout));
    let after = 0;
    let rows = 0;
    for (;;) {
      yieldToCheckpoints(job.dbPath);
      const chunk = reads.chunkAfter(job.modelRunId, after, CHUNK);
      if (chunk.length === 0) break;
      for (const row of chunk) {
        if (group) group.add(row);
        else sink.write(job.format === 'csv' ? csvLine(job.layout, row) : jsonLine(job.layout, row));
      }
      if (group && group.rows >= ROW_GROUP_ROWS) flush();
      rows += chunk.length;
      after = chunk.at(-1)!.example_id;
      if (job.format !== 'parquet') sink.rows = rows;
      post({ type: 'progress', rows, total });
    }
    flush();
    parquet?.finish();
    await sink.settle();
    const bytes = sink.position;
    const sha256 = sink.close();
    post({ type: 'done', rows, bytes, sha256 });
  } catch (e) {
    await sink.abandon();
    throw e;
  } finally {
    db.close();
  }
}

write().catch((e: unknown) => post({ type: 'error', message: (e as Error)?.message ?? String(e) }));
