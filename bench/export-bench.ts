import fs from 'node:fs';
import path from 'node:path';
import { createContext } from '../src/main/core/create-context';
import { call } from '../src/main/core/dispatch';
import { removeDb, round, twoRunDatabase } from './bench-data';

/**
 * Gives every example a human label (model v2's prediction) in one statement: the bench measures
 * exporting a million labeled examples, not labeling them.
 */
function labelEverything(ctx: ReturnType<typeof createContext>): number {
  const db = ctx.store.db;
  const project = ctx.store.projects.byName('sentiment')!;
  const annotator = ctx.store.labelEvents.annotatorId('bench');
  const schema = ctx.store.labelSchemas.latest(project.id)!;
  const v2 = db
    .prepare("SELECT id FROM model_runs WHERE project_id = ? AND model_version = 'v2'")
    .pluck()
    .get(project.id);
  const labeled = db
    .prepare(
      `INSERT INTO label_events (project_id, example_id, annotator_id, schema_version_id, action, labels, created_at)
       SELECT ?, p.example_id, ?, ?, 'label',
         CASE p.predicted WHEN 0 THEN '["negative"]' WHEN 1 THEN '["neutral"]' ELSE '["positive"]' END, 0
       FROM predictions p WHERE p.model_run_id = ?`,
    )
    .run(project.id, annotator, schema.id, v2).changes;
  // Labels arrive a few at a time in real use and checkpoints keep up; one statement leaves them
  // all in the WAL, which the exports would otherwise read through while it is checkpointed.
  db.pragma('wal_checkpoint(TRUNCATE)');
  return labeled;
}

async function exportOnce(ctx: ReturnType<typeof createContext>, dir: string, format: 'jsonl' | 'parquet') {
  const t0 = performance.now();
  const { jobId } = await call(
    'export.start',
    { project: { project: 'sentiment' }, dir, name: format, format, force: true },
    ctx,
  );
  const status = await ctx.jobs.wait(jobId);
  if (status.state !== 'succeeded') throw new Error(status.error?.message);
  const seconds = (performance.now() - t0) / 1000;
  const r = status.result as { rows: number; peakRssMb: number; path: string };
  return { rows: r.rows, seconds, peakRssMb: r.peakRssMb, path: r.path };
}

/** DuckDB's COPY of the same rows, from its own table, to JSONL and to Parquet. */
async function duckdbCopy(jsonlFiles: string[], dir: string) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  try {
    await con.run(
      `CREATE TABLE t AS SELECT * FROM read_json([${jsonlFiles.map(q).join(', ')}], format='newline_delimited')`,
    );
    const rows = Number((await con.runAndReadAll('SELECT count(*) FROM t')).getRows()[0]![0]);
    const time = async (sql: string) => {
      const t0 = performance.now();
      await con.run(sql);
      return (performance.now() - t0) / 1000;
    };
    const jsonl = await time(`COPY t TO ${q(path.join(dir, 'duck.jsonl'))} (FORMAT json)`);
    const parquet = await time(`COPY t TO ${q(path.join(dir, 'duck.parquet'))} (FORMAT parquet, COMPRESSION zstd)`);
    return { rows, jsonlRowsPerS: rows / jsonl, parquetRowsPerS: rows / parquet };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

export async function exportBench(o: { rows: number; workDir: string }) {
  const { db } = await twoRunDatabase(o.workDir, o.rows);
  const out = path.join(o.workDir, `exports-${process.pid}`);
  const ctx = createContext({ dbPath: db, runtime: 'cli', dataDir: o.workDir });
  try {
    const labeled = labelEverything(ctx);
    process.stderr.write(`labeled ${labeled} examples\n`);
    const jsonl = await exportOnce(ctx, out, 'jsonl');
    const parquet = await exportOnce(ctx, out, 'parquet');
    const files = ['train', 'validation', 'test'].map((s) => path.join(jsonl.path, `${s}.jsonl`));
    const duck = await duckdbCopy(files, out);
    process.stderr.write(
      `ours: JSONL ${jsonl.seconds.toFixed(1)} s (peak RSS ${jsonl.peakRssMb} MB), Parquet ${parquet.seconds.toFixed(1)} s (peak RSS ${parquet.peakRssMb} MB); DuckDB copied ${duck.rows} rows\n`,
    );
    return {
      bench: 'export',
      rows: jsonl.rows,
      jsonl_rows_per_s: Math.round(jsonl.rows / jsonl.seconds),
      parquet_rows_per_s: Math.round(parquet.rows / parquet.seconds),
      duckdb_jsonl_rows_per_s: Math.round(duck.jsonlRowsPerS),
      duckdb_parquet_rows_per_s: Math.round(duck.parquetRowsPerS),
      jsonl_ratio: round(jsonl.rows / jsonl.seconds / duck.jsonlRowsPerS, 2),
      parquet_ratio: round(parquet.rows / parquet.seconds / duck.parquetRowsPerS, 2),
      peak_rss_mb: Math.max(jsonl.peakRssMb, parquet.peakRssMb),
    };
  } finally {
    await ctx.dispose();
    removeDb(db);
    fs.rmSync(out, { recursive: true, force: true });
  }
}
