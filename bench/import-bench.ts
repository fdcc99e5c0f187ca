import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../src/shared/api/errors';
import { createContext } from '../src/main/core/create-context';
import { call } from '../src/main/core/dispatch';
import { writeDemoLog } from '../src/main/features/demo/demo-data';
import { type RowBatch } from '../src/main/features/import/batch';
import { ImportWriter } from '../src/main/store/import-writer';
import { Store } from '../src/main/store/store';
import type { ImportRun } from '../src/shared/features/import/contract';
import { readCsv } from '../src/main/features/import/csv-reader';
import { readJsonl } from '../src/main/features/import/jsonl-reader';
import { readParquet } from '../src/main/features/import/parquet-reader';
import { RecordConsumer } from '../src/main/features/import/record-consumer';
import type { ParseJob } from '../src/main/features/import/parse-protocol';

export interface ImportBenchOptions {
  rows: number;
  format: 'jsonl' | 'csv' | 'parquet';
  workDir: string;
}

async function demoLog(o: ImportBenchOptions): Promise<string> {
  const file = path.join(o.workDir, `sentiment-${o.rows}.${o.format}`);
  if (!fs.existsSync(file)) {
    process.stderr.write(`generating ${file}…\n`);
    await writeDemoLog({ project: 'sentiment', rows: o.rows, modelVersion: 'v1', format: o.format, outPath: file });
  }
  return file;
}

/** The same rows, parsed in memory first, then written by the writer's bare prepared statements. */
async function insertCeiling(
  file: string,
  format: ImportBenchOptions['format'],
  mappingJson: string,
  classes: string[],
  dbFile: string,
  runId: number,
): Promise<number> {
  const mapping = JSON.parse(mappingJson);
  const batches: RowBatch[] = [];
  const job: ParseJob = {
    path: file,
    format,
    compression: 'none',
    mapping,
    projectClasses: classes,
    skipRecords: 0,
    maxLineBytes: 16 << 20,
    maxDecompressedBytes: 2 ** 40,
    maxGzipRatio: 200,
    batchRows: 8192,
    batchBytes: 16 << 20,
    maxInFlight: Infinity,
    shardIndex: 0,
    shardCount: 1,
  };
  const consumer = new RecordConsumer(job, (m) => {
    if (m.type === 'batch') batches.push(m.batch);
  });
  const readers = { jsonl: readJsonl, csv: readCsv, parquet: readParquet };
  await readers[format](job, consumer);
  consumer.finish();
  const store = Store.open(dbFile);
  const db = store.openBulkConnection();
  const writer = new ImportWriter(db, 1, runId, { pid: process.pid, host: 'bench' });
  const t0 = performance.now();
  for (const b of batches) writer.writeBatch(b, 0, [], () => 0);
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  store.close();
  const rows = batches.reduce((s, b) => s + b.n, 0);
  return rows / seconds;
}

export async function importBench(o: ImportBenchOptions): Promise<Record<string, unknown>> {
  fs.mkdirSync(o.workDir, { recursive: true });
  const file = await demoLog(o);
  const dbFile = path.join(o.workDir, `bench-import-${process.pid}.db`);
  const cleanup = (f: string) => ['', '-wal', '-shm'].forEach((s) => fs.rmSync(f + s, { force: true }));
  cleanup(dbFile);
  const ctx = createContext({ dbPath: dbFile, runtime: 'cli', dataDir: o.workDir });
  const preview = await call('import.preview', { path: file, project: 'bench' }, ctx);
  if (!preview.mapping) throw new Error(`no mapping guessed: ${preview.notes.join('; ')}`);
  const t0 = performance.now();
  const { jobId } = await call('import.start', { path: file, project: 'bench', mapping: preview.mapping }, ctx);
  const status = await ctx.jobs.wait(jobId);
  const seconds = (performance.now() - t0) / 1000;
  if (status.state !== 'succeeded') throw new ApiError(status.error!.code, status.error!.message);
  const run = status.result as ImportRun;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const classes = ctx.store.projects.byName('bench')!.classes;
  await ctx.dispose();
  cleanup(dbFile);

  // The ceiling writes into the same tables of a fresh database, under an import run row.
  const ceilingDb = path.join(o.workDir, `bench-ceiling-${process.pid}.db`);
  cleanup(ceilingDb);
  const setup = Store.open(ceilingDb);
  setup.projects.create({
    name: 'bench',
    taskType: preview.mapping.taskType,
    inputKind: preview.mapping.inputKind,
    classes,
    featureNames: null,
  });
  const runRow = setup.importRuns.create({
    projectId: 1,
    sourcePath: file,
    sourceSize: 0,
    fingerprint: 'ceiling',
    format: o.format,
    compression: 'none',
    mapping: JSON.stringify(preview.mapping),
    strict: false,
    ownerPid: process.pid,
    ownerHost: 'bench',
  });
  setup.close();
  const ceiling = await insertCeiling(file, o.format, JSON.stringify(preview.mapping), classes, ceilingDb, runRow.id);
  cleanup(ceilingDb);
  const rowsPerS = run.rowsImported / seconds;
  return {
    bench: 'import',
    format: o.format,
    rows: run.rowsImported,
    seconds: Number(seconds.toFixed(2)),
    rows_per_s: Math.round(rowsPerS),
    insert_ceiling_rows_per_s: Math.round(ceiling),
    ratio: Number((rowsPerS / ceiling).toFixed(3)),
    peak_rss_mb: Math.round(peakRssMb),
  };
}
