import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../../test/helpers/expect-failure';
import {
  importFile,
  makeTempDir,
  openContext,
  removeDir,
  SENTIMENT,
  storedScores,
  type TestContext,
} from '../../../../test/helpers/import-fixtures';
import type { PredictionsExportResult } from '../../../shared/features/predictions/contract';
import { loadDemo } from '../../cli/commands/demo';
import { call } from '../../core/dispatch';

let dir: string;
let ctx: TestContext;

beforeAll(async () => {
  dir = makeTempDir('predictions');
  ctx = openContext(dir);
  await loadDemo(ctx, path.join(dir, 'demo'), 400);
}, 120_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

async function exportRun(
  project: string,
  run: string,
  format: 'jsonl' | 'csv' | 'parquet',
  out: string,
  force = false,
): Promise<PredictionsExportResult> {
  const { jobId } = await call('predictions.export', { project: { project }, run, format, out, force }, ctx);
  const status = await ctx.jobs.wait(jobId);
  if (status.state !== 'succeeded') throw new Error(JSON.stringify(status.error));
  return status.result as PredictionsExportResult;
}

async function readParquet(file: string): Promise<Record<string, unknown>[]> {
  const duck = await DuckDBInstance.create(':memory:');
  const con = await duck.connect();
  try {
    const reader = await con.runAndReadAll(`SELECT * FROM read_parquet('${file}') ORDER BY id`);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    con.closeSync();
    duck.closeSync();
  }
}

describe('predictions export', () => {
  it('writes every prediction of a run with its stored scores, the same in JSONL, CSV and Parquet', async () => {
    const stored = storedScores(ctx, 'v1');
    const jsonl = await exportRun('sentiment', 'sentiment-clf@v1', 'jsonl', path.join(dir, 'v1.jsonl'));
    expect(jsonl.rows).toBe(400);
    expect(jsonl.columns).toEqual(SENTIMENT.map((c) => `p_${c}`));
    const lines = fs
      .readFileSync(jsonl.path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; predicted: string; scores: Record<string, number>; model: string });
    expect(lines).toHaveLength(400);
    for (const line of lines) {
      const ref = stored.get(line.id)!;
      // Each printed score reads back as the very float32 that is stored.
      expect(SENTIMENT.map((c) => Math.fround(line.scores[c]!))).toEqual(ref.scores);
      expect(line.predicted).toBe(SENTIMENT[ref.predicted]);
      expect(line.model).toBe('sentiment-clf');
    }

    const csv = await exportRun('sentiment', 'sentiment-clf@v1', 'csv', path.join(dir, 'v1.csv'));
    const header = fs.readFileSync(csv.path, 'utf8').split('\r\n')[0]!.split(',');
    expect(header.slice(0, 3)).toEqual(['id', 'ts', 'text']);
    expect(header.slice(-5)).toEqual(['p_negative', 'p_neutral', 'p_positive', 'model', 'model_version']);

    const parquet = await exportRun('sentiment', 'sentiment-clf@v1', 'parquet', path.join(dir, 'v1.parquet'));
    const rows = await readParquet(parquet.path);
    expect(rows).toHaveLength(400);
    for (const row of rows) {
      const ref = stored.get(row['id'] as string)!;
      expect(SENTIMENT.map((c) => row[`p_${c}`])).toEqual(ref.scores);
      expect(row['predicted']).toBe(SENTIMENT[ref.predicted]);
      expect(row['model_version']).toBe('v1');
    }
    const byId = new Map(lines.map((l) => [l.id, l]));
    const first = rows[0]!;
    expect((first['ts'] as Date).toISOString()).toBe((byId.get(first['id'] as string) as unknown as { ts: string }).ts);
  }, 60_000);

  it('gives a binary run both classes: 1 − p and the stored P(positive)', async () => {
    const stored = storedScores(ctx, 'v3');
    const r = await exportRun('spam', 'spam-filter@v3', 'csv', path.join(dir, 'spam.csv'));
    const [head, ...body] = fs.readFileSync(r.path, 'utf8').trimEnd().split('\r\n');
    const columns = head!.split(',');
    const at = (name: string) => columns.indexOf(name);
    expect(at('p_ham')).toBeGreaterThan(0);
    for (const line of body.slice(0, 50)) {
      // Texts are quoted when they hold commas: take the id from the front and scores from the back.
      const cells = line.split(',');
      const id = cells[0]!;
      const tail = cells.slice(-4);
      const p = stored.get(id)!.scores[0]!;
      expect(Math.fround(Number(tail[1]))).toBe(p);
      expect(Number(tail[0])).toBeCloseTo(1 - p, 12);
    }
  });

  it('comes back in as a log: re-imported scores equal the run it was taken from', async () => {
    const r = await exportRun('sentiment', 'sentiment-clf@v2', 'jsonl', path.join(dir, 'v2.jsonl'));
    const outcome = await importFile(
      ctx,
      r.path,
      {
        id: 'id',
        inputKind: 'text',
        text: 'text',
        timestamp: { field: 'ts', unit: 'auto' },
        taskType: 'multiclass',
        classes: [...SENTIMENT],
        scores: { kind: 'object', field: 'scores' },
        scoreTransform: 'none',
        predictedLabel: 'predicted',
        model: { name: 'sentiment-clf', version: 'v2-again' },
        metadata: [],
        sumTolerance: 0.01,
      },
      { project: 'sentiment' },
    );
    expect(outcome.status.state).toBe('succeeded');
    expect(outcome.run.rowsImported).toBe(400);
    expect(outcome.run.examplesAdded).toBe(0);
    const original = storedScores(ctx, 'v2');
    const again = storedScores(ctx, 'v2-again');
    expect(again.size).toBe(400);
    for (const [id, ref] of original) expect(again.get(id)).toEqual(ref);
  }, 60_000);

  it('never overwrites a file unless asked, and names the runs it has when one is unknown', async () => {
    const out = path.join(dir, 'taken.jsonl');
    fs.writeFileSync(out, 'keep me\n');
    const refused = await failure(
      call('predictions.export', { project: { project: 'sentiment' }, run: 'v1', out }, ctx),
    );
    expect(refused.code).toBe('conflict');
    expect(fs.readFileSync(out, 'utf8')).toBe('keep me\n');
    const replaced = await exportRun('sentiment', 'v1', 'jsonl', out, true);
    expect(replaced.rows).toBe(400);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const unknown = await failure(call('predictions.export', { project: { project: 'sentiment' }, run: 'v9' }, ctx));
    expect(unknown.code).toBe('not-found');
    expect(unknown.message).toContain('sentiment-clf@v1');
  }, 60_000);
});
