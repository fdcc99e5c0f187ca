import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../../test/helpers/expect-failure';
import {
  importFile,
  makeTempDir,
  openContext,
  removeDir,
  SENTIMENT,
  type TestContext,
} from '../../../../test/helpers/import-fixtures';
import type { Input } from '../../../shared/api/contract';
import type { PredictionsExportResult } from '../../../shared/features/predictions/contract';
import { loadDemo } from '../../cli/commands/demo';
import { call } from '../../core/dispatch';

const ROOT = path.resolve(__dirname, '../../../..');

let dir: string;
let out: string;
let ctx: TestContext;

beforeAll(async () => {
  dir = makeTempDir('scores-export');
  out = path.join(dir, 'exports');
  ctx = openContext(dir);
  await loadDemo(ctx, path.join(dir, 'demo'), 300);
  // A run that scored the first 120 examples only: v1's predictions of them, imported again as p1.
  const v1 = await predictions('v1', 'jsonl');
  const partial = path.join(dir, 'partial.jsonl');
  fs.writeFileSync(partial, fs.readFileSync(v1.path, 'utf8').split('\n').slice(0, 120).join('\n') + '\n');
  const imported = await importFile(
    ctx,
    partial,
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
      model: { name: 'sentiment-clf', version: 'p1' },
      metadata: [],
      sumTolerance: 0.01,
    },
    { project: 'sentiment' },
  );
  expect(imported.run.examplesAdded).toBe(0);
}, 120_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

type ExportInput = Input<'export.start'>;

async function exportNow(options: Partial<ExportInput> & { name: string }) {
  const { jobId } = await call(
    'export.start',
    { project: { project: 'sentiment' }, dir: out, labelSource: 'human+model', modelRun: 'v1', ...options },
    ctx,
  );
  const status = await ctx.jobs.wait(jobId);
  if (status.state !== 'succeeded') throw Object.assign(new Error(status.error?.message), status.error);
  return status.result as { path: string; files: { path: string; rows: number; sha256: string }[] };
}

async function predictions(run: string, format: 'jsonl' | 'csv'): Promise<PredictionsExportResult> {
  const out = path.join(dir, `predictions-${run}.${format}`);
  const { jobId } = await call(
    'predictions.export',
    { project: { project: 'sentiment' }, run, format, out, force: true },
    ctx,
  );
  const status = await ctx.jobs.wait(jobId);
  if (status.state !== 'succeeded') throw new Error(JSON.stringify(status.error));
  return status.result as PredictionsExportResult;
}

/** A predictions export's lines by example id. */
function predictionLines(file: string): Map<string, { predicted: string; scores: Record<string, number> }> {
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  return new Map(
    lines.map((l) => {
      const row = JSON.parse(l) as { id: string; predicted: string; scores: Record<string, number> };
      return [row.id, row];
    }),
  );
}

function runIds(): Record<string, number> {
  const rows = ctx.store.db
    .prepare(
      `SELECT m.model_version AS version, m.id FROM model_runs m JOIN projects p ON p.id = m.project_id
       WHERE p.name = 'sentiment'`,
    )
    .all() as { version: string; id: number }[];
  return Object.fromEntries(rows.map((r) => [r.version, r.id]));
}

function jsonRows(folder: string, files: { path: string }[]): Record<string, unknown>[] {
  return files.flatMap((f) =>
    fs
      .readFileSync(path.join(folder, f.path), 'utf8')
      .trimEnd()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A Parquet file's bytes before its footer: the column chunks (the footer names the writer's version). */
function parquetPages(file: string): Uint8Array {
  const bytes = fs.readFileSync(file);
  const footer = bytes.readUInt32LE(bytes.length - 8);
  return bytes.subarray(0, bytes.length - 8 - footer);
}

describe('export without scores', () => {
  it('writes the same bytes as before score columns existed, in every format', async () => {
    const hashes: Record<string, string> = {};
    for (const format of ['jsonl', 'csv', 'parquet', 'hf'] as const) {
      const r = await exportNow({ name: `plain-${format}`, format });
      for (const f of r.files) {
        const file = path.join(r.path, f.path);
        hashes[`${format}/${f.path}`] = sha256(
          f.path.endsWith('.parquet') ? parquetPages(file) : fs.readFileSync(file),
        );
      }
    }
    // Taken from the writers before score columns existed: an export without them must not change.
    expect(hashes).toEqual({
      'csv/test.csv': '8940adc38fc909ee4326499f59cad5123a04093173abad88c3c97c0b090281f1',
      'csv/train.csv': '988ba01804ab988d7580e6e9afd907263526a18a9603717f72fa0cfb1ac8f6b3',
      'csv/validation.csv': '83b9841c2816c7d5b79f884749e177a441030b0e7f7b09849c69ea5b7e8691cc',
      'hf/data/test.jsonl': 'b5be4a76eda2c3eac9cb4aed76870c36f13cf276ca6cbca286b5e7cc61e44268',
      'hf/data/train.jsonl': '6edc8764838b1e0ce3db90980c5e77d8bc6c87d088f6df157c9357a4d3ee87d3',
      'hf/data/validation.jsonl': 'a0fb83545e4d75293a8e4e33851ff02a495b5df4f34b28d85bab800073975240',
      'jsonl/test.jsonl': 'b5be4a76eda2c3eac9cb4aed76870c36f13cf276ca6cbca286b5e7cc61e44268',
      'jsonl/train.jsonl': '6edc8764838b1e0ce3db90980c5e77d8bc6c87d088f6df157c9357a4d3ee87d3',
      'jsonl/validation.jsonl': 'a0fb83545e4d75293a8e4e33851ff02a495b5df4f34b28d85bab800073975240',
      'parquet/test.parquet': '3dfe01ed3d9e92ad3e81fa69d3ab8c145c023c3dc037509e5bf5d16cabd7b6a7',
      'parquet/train.parquet': 'e519832a87634a3d06fab3835467552439151483d8901b538c8a17646bdda803',
      'parquet/validation.parquet': '35a93256b117b80e85f735e8b455453067276eae3a35328043def8250e8c7f60',
    });
  }, 60_000);
});

describe('export --with-scores', () => {
  it("adds each run's predicted label and scores to the JSONL rows, equal to its predictions export", async () => {
    const ids = runIds();
    const r = await exportNow({ name: 'scored-jsonl', withScores: ['v1', 'sentiment-clf@v2'] });
    const rows = jsonRows(r.path, r.files);
    expect(rows).toHaveLength(300);
    const v1 = predictionLines((await predictions('v1', 'jsonl')).path);
    const v2 = predictionLines((await predictions('v2', 'jsonl')).path);
    const keys = Object.keys(rows[0]!);
    expect(keys.slice(0, 7)).toEqual(['id', 'ts', 'text', 'features', 'metadata', 'label', 'label_source']);
    expect(keys.slice(7)).toEqual(
      [ids['v1'], ids['v2']].flatMap((id) => [`run${id}_predicted`, ...SENTIMENT.map((c) => `run${id}_p_${c}`)]),
    );
    for (const row of rows) {
      for (const [version, ref] of [
        ['v1', v1],
        ['v2', v2],
      ] as const) {
        const want = ref.get(row['id'] as string)!;
        expect(row[`run${ids[version]}_predicted`]).toBe(want.predicted);
        for (const c of SENTIMENT) expect(row[`run${ids[version]}_p_${c}`]).toBe(want.scores[c]);
      }
    }
    // The text of each score is the predictions export's own: the shortest that reads back as the stored float32.
    const line = fs.readFileSync(path.join(r.path, r.files[0]!.path), 'utf8').split('\n')[0]!;
    const id = (JSON.parse(line) as { id: string }).id;
    const refLine = fs
      .readFileSync(path.join(dir, 'predictions-v1.jsonl'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`{"id":${JSON.stringify(id)},`))!;
    const refScores = refLine.slice(
      refLine.indexOf('"scores":{') + 10,
      refLine.indexOf('}', refLine.indexOf('"scores":{')),
    );
    expect(line).toContain(refScores.replace(/"(\w+)":/g, `"run${ids['v1']}_p_$1":`));

    const manifest = JSON.parse(fs.readFileSync(path.join(r.path, 'manifest.json'), 'utf8'));
    expect(manifest.options.withScores).toEqual([ids['v1'], ids['v2']]);
    // Recorded as run ids: a rebuild reads the same runs and writes the same bytes.
    const record = (await call('export.list', { project: 'sentiment' }, ctx)).find((e) => e.path === r.path)!;
    const again = await call('export.again', { exportId: record.id, force: true }, ctx);
    const rebuilt = (await ctx.jobs.wait(again.jobId)).result as { files: { sha256: string }[] };
    expect(rebuilt.files.map((f) => f.sha256)).toEqual(r.files.map((f) => f.sha256));
    expect(
      manifest.scores.runs.map((s: { run: { version: string }; unscored: number }) => [s.run.version, s.unscored]),
    ).toEqual([
      ['v1', 0],
      ['v2', 0],
    ]);
  }, 60_000);

  it('leaves the cells of examples a run did not score empty in CSV, Parquet and JSONL, and counts them', async () => {
    const p1 = runIds()['p1']!;
    const v1 = predictionLines(path.join(dir, 'predictions-v1.jsonl'));
    const scoredIds = new Set([...v1.keys()].slice(0, 120));
    const check = (id: string, predicted: unknown, scores: unknown[], float32 = false) => {
      if (!scoredIds.has(id)) {
        expect([predicted, ...scores].every((v) => v === null || v === '')).toBe(true);
        return;
      }
      const want = v1.get(id)!;
      expect(predicted).toBe(want.predicted);
      expect(scores.map(Number)).toEqual(
        SENTIMENT.map((c) => (float32 ? Math.fround(want.scores[c]!) : want.scores[c])),
      );
    };
    const columns = SENTIMENT.map((c) => `run${p1}_p_${c}`);

    const csv = await exportNow({ name: 'partial-csv', format: 'csv', withScores: ['p1'] });
    const csvRows = csv.files.flatMap(
      (f) => parse(fs.readFileSync(path.join(csv.path, f.path)), { columns: true }) as Record<string, string>[],
    );
    expect(csvRows).toHaveLength(300);
    for (const row of csvRows)
      check(
        row['id']!,
        row[`run${p1}_predicted`],
        columns.map((c) => row[c]),
      );

    const parquet = await exportNow({ name: 'partial-parquet', format: 'parquet', withScores: ['p1'] });
    let parquetRows = 0;
    for (const f of parquet.files) {
      const buf = fs.readFileSync(path.join(parquet.path, f.path));
      const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
      const rows = (await parquetReadObjects({ file, compressors })) as Record<string, unknown>[];
      parquetRows += rows.length;
      for (const row of rows) {
        // Parquet holds the stored float32 itself.
        check(
          row['id'] as string,
          row[`run${p1}_predicted`],
          columns.map((c) => row[c]),
          true,
        );
      }
    }
    expect(parquetRows).toBe(300);

    const hf = await exportNow({ name: 'partial-hf', format: 'hf', withScores: [p1] });
    const hfRows = jsonRows(hf.path, hf.files);
    for (const row of hfRows)
      check(
        row['id'] as string,
        row[`run${p1}_predicted`],
        columns.map((c) => row[c]),
      );

    for (const r of [csv, parquet, hf]) {
      const manifest = JSON.parse(fs.readFileSync(path.join(r.path, 'manifest.json'), 'utf8'));
      expect(manifest.scores.runs).toEqual([
        {
          run: { id: p1, name: 'sentiment-clf', version: 'p1', source: 'import' },
          columns: [`run${p1}_predicted`, ...columns],
          scored: 120,
          unscored: 180,
        },
      ]);
      expect(manifest.scores.note).toContain('empty');
    }
  }, 60_000);

  it('gives a binary run both classes, as its predictions export does: 1 − p and the stored P(positive)', async () => {
    const { jobId } = await call(
      'predictions.export',
      { project: { project: 'spam' }, run: 'v3', format: 'jsonl', out: path.join(dir, 'spam-v3.jsonl') },
      ctx,
    );
    const ref = predictionLines(((await ctx.jobs.wait(jobId)).result as PredictionsExportResult).path);
    const r = await exportNow({
      project: { project: 'spam' },
      name: 'spam-scored',
      modelRun: 'v3',
      withScores: ['v3'],
    });
    const rows = jsonRows(r.path, r.files);
    expect(rows.length).toBe(ref.size);
    const run = (Object.keys(rows[0]!).find((k) => k.endsWith('_predicted')) ?? '').replace('_predicted', '');
    for (const row of rows) {
      const want = ref.get(row['id'] as string)!;
      expect(row[`${run}_predicted`]).toBe(want.predicted);
      expect(row[`${run}_p_ham`]).toBe(want.scores['ham']);
      expect(row[`${run}_p_spam`]).toBe(want.scores['spam']);
    }
  }, 60_000);

  it('refuses an unknown run, a run of another project and a run named twice; writes nothing', async () => {
    const unknown = await failure(exportNow({ name: 'bad-1', withScores: ['v9'] }));
    expect(unknown.code).toBe('not-found');
    expect(unknown.message).toContain('sentiment-clf@v1');
    const spamRun = ctx.store.db
      .prepare(`SELECT m.id FROM model_runs m JOIN projects p ON p.id = m.project_id WHERE p.name = 'spam'`)
      .pluck()
      .get() as number;
    const other = await failure(exportNow({ name: 'bad-2', withScores: [spamRun] }));
    expect(other.code).toBe('invalid-input');
    expect(other.message).toContain("belongs to project 'spam'");
    const twice = await failure(exportNow({ name: 'bad-3', withScores: ['v1', runIds()['v1']!] }));
    expect(twice.message).toContain('twice');
    for (const name of ['bad-1', 'bad-2', 'bad-3']) expect(fs.existsSync(path.join(out, name))).toBe(false);
  });

  it('on the command line: --with-scores, and a line per run saying how many rows it did not score', () => {
    const db = path.join(dir, 'w.db');
    const r = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'bin/flywheel.js'),
        '--db',
        db,
        'export',
        'sentiment',
        'cli-scored',
        '--dir',
        out,
        '--label-source',
        'human+model',
        '--model-run',
        'v1',
        '--with-scores',
        'p1,v2',
      ],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('scores of sentiment-clf@p1');
    expect(r.stdout).toContain('180 of 300 rows not scored by this run');
    expect(r.stdout).toMatch(/scores of sentiment-clf@v2 \(run\d+_\*\): every row/);
  });
});
