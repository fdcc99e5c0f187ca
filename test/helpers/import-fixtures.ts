// Fixture builders for the import integration tests: temp dirs, log files, contexts, explicit mappings.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ImportRun, RowReject } from '../../src/shared/features/import/contract';
import type { ImportMappingInput } from '../../src/shared/features/import/mapping';
import type { JobStatus } from '../../src/shared/features/app/contract';
import { createContext } from '../../src/main/core/create-context';
import { call } from '../../src/main/core/dispatch';

export type TestContext = ReturnType<typeof createContext>;

export const SENTIMENT = ['negative', 'neutral', 'positive'] as const;

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `fw-${prefix}-`));
}

export function removeDir(dir: string | undefined): void {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

export function openContext(dir: string, dbName = 'w.db'): TestContext {
  return createContext({ dbPath: path.join(dir, dbName), runtime: 'cli', dataDir: dir });
}

/** Writes rows (objects are JSON-encoded, strings written as they are) as JSON Lines. */
export function writeJsonl(file: string, rows: (object | string)[], eol = '\n'): string {
  fs.writeFileSync(file, rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join(eol) + eol);
  return file;
}

/**
 * Rows written as a Parquet file by DuckDB (an independent writer), scores as DOUBLE[]; `extra`
 * adds SELECT expressions (more columns), `order` an ORDER BY, `ts` the expression of column ts;
 * uncompressed, a test can patch bytes of a value in the file.
 */
export async function writeParquet(
  file: string,
  rows: Record<string, unknown>[],
  {
    extra = '',
    order = '',
    ts = 'ts',
    compression = 'snappy',
  }: { extra?: string; order?: string; ts?: string; compression?: 'snappy' | 'uncompressed' } = {},
): Promise<string> {
  const source = writeJsonl(`${file}.source.jsonl`, rows);
  const duck = await DuckDBInstance.create(':memory:');
  const con = await duck.connect();
  try {
    await con.run(
      `COPY (SELECT id, ${ts} AS ts, text, CAST(scores AS DOUBLE[]) AS scores, predicted_label, model, model_version
                    ${extra ? `, ${extra}` : ''}
             FROM read_json('${source}', format = 'newline_delimited') ${order ? `ORDER BY ${order}` : ''})
       TO '${file}' (FORMAT parquet, COMPRESSION ${compression})`,
    );
  } finally {
    con.closeSync();
    duck.closeSync();
  }
  return file;
}

export const TOPICS = ['politics', 'sports', 'tech'] as const;

/** Rows of a multilabel log: independent per-class probabilities, the labels at ≥ 0.5. */
export function topicRows(n: number) {
  return Array.from({ length: n }, (_, i) => {
    const scores = [((i * 13) % 10) / 10 + 0.05, ((i * 7) % 10) / 10 + 0.05, ((i * 3) % 10) / 10 + 0.05];
    return {
      id: `n${i}`,
      text: `news ${i}`,
      scores,
      predicted_label: TOPICS.filter((_, k) => scores[k]! >= 0.5),
      model: 'topics',
      model_version: '2024-01',
    };
  });
}

/** A well-formed 3-class row: `win` gets the top score; the scores sum to 1. */
export function sentimentRow(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const win = i % 3;
  const hi = 0.5 + ((i * 7919) % 400) / 1000;
  const lo = Math.round(((1 - hi) / 2) * 1e6) / 1e6;
  const scores = [lo, lo, lo];
  scores[win] = hi;
  scores[(win + 1) % 3] = 1 - hi - lo;
  return {
    id: `ex-${i}`,
    ts: 1_700_000_000_000 + i * 1000,
    text: `review number ${i} about something`,
    scores,
    predicted_label: SENTIMENT[win],
    model: 'sent',
    model_version: 'v1',
    ...extra,
  };
}

/** Streams a big sentiment log to disk without holding it in memory. */
export function writeBigSentimentLog(file: string, n: number): string {
  const fd = fs.openSync(file, 'w');
  try {
    let chunk: string[] = [];
    for (let i = 0; i < n; i++) {
      chunk.push(JSON.stringify(sentimentRow(i)));
      if (chunk.length === 5000) {
        fs.writeSync(fd, chunk.join('\n') + '\n');
        chunk = [];
      }
    }
    if (chunk.length > 0) fs.writeSync(fd, chunk.join('\n') + '\n');
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/** The explicit mapping of sentimentRow logs (JSONL), so bad-input tests do not depend on the guess. */
export function sentimentMapping(overrides: Partial<ImportMappingInput> = {}): ImportMappingInput {
  return {
    id: 'id',
    inputKind: 'text',
    text: 'text',
    timestamp: { field: 'ts', unit: 'auto' },
    taskType: 'multiclass',
    classes: [...SENTIMENT],
    scores: { kind: 'vector', field: 'scores' },
    scoreTransform: 'none',
    predictedLabel: 'predicted_label',
    model: { nameField: 'model', versionField: 'model_version' },
    metadata: [],
    sumTolerance: 0.01,
    ...overrides,
  };
}

export interface ImportOutcome {
  status: JobStatus;
  run: ImportRun;
}

/** import.start + wait; the ImportRun comes back on failure too. */
export async function importFile(
  ctx: TestContext,
  file: string,
  mapping: ImportMappingInput,
  options: { project?: string; strict?: boolean; batchRows?: number; batchBytes?: number; maxLineBytes?: number } = {},
): Promise<ImportOutcome> {
  const { jobId } = await call(
    'import.start',
    {
      path: file,
      project: options.project ?? 'p',
      mapping,
      strict: options.strict ?? false,
      ...(options.batchRows ? { batchRows: options.batchRows } : {}),
      ...(options.batchBytes ? { batchBytes: options.batchBytes } : {}),
      ...(options.maxLineBytes ? { maxLineBytes: options.maxLineBytes } : {}),
    },
    ctx,
  );
  const status = await ctx.jobs.wait(jobId);
  return { status, run: status.result as ImportRun };
}

/** Preview, then import with the guessed mapping (which must exist). */
export async function importGuessed(
  ctx: TestContext,
  file: string,
  options: { project?: string; strict?: boolean } = {},
): Promise<ImportOutcome & { mapping: ImportMappingInput }> {
  const preview = await call('import.preview', { path: file, project: options.project ?? 'p' }, ctx);
  if (!preview.mapping) throw new Error(`no mapping guessed for ${file}: ${preview.notes.join('; ')}`);
  const outcome = await importFile(ctx, file, preview.mapping, options);
  return { ...outcome, mapping: preview.mapping };
}

export async function counts(ctx: TestContext, project = 'p') {
  return (await call('projects.stats', { project }, ctx)).counts;
}

/**
 * After an import that made its project and ended with nothing imported: the project is gone
 * with it, and no row of it is left in any table.
 */
export function expectProjectRemoved(ctx: TestContext, project = 'p'): void {
  if (ctx.store.projects.byName(project) !== null) throw new Error(`project '${project}' is still there`);
  for (const table of ['examples', 'predictions', 'model_runs', 'import_runs', 'label_schema_versions']) {
    const n = ctx.store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    if (n !== 0) throw new Error(`${table} still holds ${n} rows`);
  }
}

/** Every line of a rejects file, parsed. */
export function readRejects(file: string | null): (RowReject & { raw: string })[] {
  if (!file || !fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as RowReject & { raw: string });
}

/** sha256 of a file, read by itself: what an import run must record. */
export function fileSha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** A float32 BLOB as numbers (copied: a Buffer's offset need not be 4-aligned). */
export function floats(blob: Buffer): number[] {
  const bytes = new Uint8Array(blob);
  return Array.from(new Float32Array(bytes.buffer, 0, bytes.byteLength / 4));
}

/** Scores stored for each external id, in the project's class order. */
export function storedScores(
  ctx: TestContext,
  modelVersion?: string,
): Map<string, { scores: number[]; predicted: number }> {
  const rows = ctx.store.db
    .prepare(
      `SELECT e.external_id AS id, p.scores AS scores, p.predicted AS predicted FROM predictions p
       JOIN examples e ON e.id = p.example_id JOIN model_runs m ON m.id = p.model_run_id
       WHERE ? IS NULL OR m.model_version = ?`,
    )
    .all(modelVersion ?? null, modelVersion ?? null) as { id: string; scores: Buffer; predicted: number }[];
  return new Map(rows.map((r) => [r.id, { scores: floats(r.scores), predicted: r.predicted }]));
}

export function expectClose(actual: number[], expected: number[], tolerance = 1e-6): void {
  if (actual.length !== expected.length) {
    throw new Error(`expected ${expected.length} values, got ${actual.length}: ${JSON.stringify(actual)}`);
  }
  actual.forEach((a, i) => {
    if (!(Math.abs(a - expected[i]!) <= tolerance)) {
      throw new Error(`value ${i}: ${a} differs from ${expected[i]} by more than ${tolerance}`);
    }
  });
}
