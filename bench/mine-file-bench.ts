import fs from 'node:fs';
import path from 'node:path';
import { createContext } from '../src/main/core/create-context';
import { call } from '../src/main/core/dispatch';
import type { MineFileResult } from '../src/shared/features/mine-file/contract';
import { removeDb, round, sentimentLog } from './bench-data';

const LIMIT = 1000;

/** The demo sentiment log as one Parquet file, written once by DuckDB into the bench folder. */
async function parquetLog(workDir: string, rows: number): Promise<{ jsonl: string; parquet: string }> {
  const jsonl = await sentimentLog(workDir, rows, 'v1');
  const parquet = path.join(workDir, `sentiment-${rows}-v1.parquet`);
  if (!fs.existsSync(parquet)) {
    process.stderr.write(`writing ${parquet}…\n`);
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    try {
      await con.run(
        `COPY (SELECT * REPLACE (CAST(scores AS DOUBLE[]) AS scores) FROM read_json('${jsonl.replace(/'/g, "''")}', format = 'newline_delimited'))
         TO '${parquet.replace(/'/g, "''")}' (FORMAT parquet)`,
      );
    } finally {
      con.closeSync();
      instance.closeSync();
    }
  }
  return { jsonl, parquet };
}

/**
 * `flywheel mine-file` over an N-row Parquet log into an empty project: the scan (DuckDB, out of
 * core), the selection of LIMIT rows (entropy, duplicates suppressed, a 10% control sample) and
 * the import and queueing of those rows only.
 */
export async function mineFileBench(o: { rows: number; workDir: string }) {
  fs.mkdirSync(o.workDir, { recursive: true });
  const { jsonl, parquet } = await parquetLog(o.workDir, o.rows);
  const db = path.join(o.workDir, `mine-file-${process.pid}.db`);
  const ctx = createContext({ dbPath: db, runtime: 'cli', dataDir: o.workDir });
  try {
    const preview = await call('import.preview', { path: jsonl }, ctx);
    const mapping = preview.mapping!;
    await call(
      'projects.create',
      { name: 'sentiment', taskType: mapping.taskType, inputKind: mapping.inputKind, classes: mapping.classes },
      ctx,
    );
    const t0 = performance.now();
    const { jobId } = await call(
      'mineFile.start',
      { project: { project: 'sentiment' }, paths: parquet, mapping, strategy: { strategy: 'entropy' }, limit: LIMIT },
      ctx,
    );
    const status = await ctx.jobs.wait(jobId);
    const wall = performance.now() - t0;
    if (status.state !== 'succeeded') throw new Error(`mine-file ${status.state}: ${status.error?.message}`);
    const r = status.result as MineFileResult;
    return {
      bench: 'mine-file',
      rows: r.scanned,
      selected: r.selected,
      scan_ms: round(r.timings.scanMs),
      select_ms: round(r.timings.selectMs),
      import_ms: round(r.timings.importMs + r.timings.queueMs),
      total_ms: round(wall),
      rows_per_s: Math.round(r.scanned / (wall / 1000)),
      scan_peak_rss_mb: round(r.timings.scanPeakRssMb),
      parquet_mb: round(fs.statSync(parquet).size / 2 ** 20),
    };
  } finally {
    await ctx.dispose();
    removeDb(db);
  }
}
