import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeTempDir,
  openContext,
  removeDir,
  topicRows,
  writeJsonl,
  type TestContext,
} from '../../../../test/helpers/import-fixtures';
import { importGuessed, loadDemo } from '../../cli/commands/demo';
import { writeDemoLog } from '../demo/demo-data';
import { call } from '../../core/dispatch';
import type { Input } from '../../../shared/api/contract';

let dir: string;
let out: string;
let ctx: TestContext;

beforeAll(async () => {
  dir = makeTempDir('parquet-export');
  out = path.join(dir, 'exports');
  ctx = openContext(dir);
  await loadDemo(ctx, path.join(dir, 'demo'), 1500);
}, 120_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

async function exportNow(options: Input<'export.start'>) {
  const { jobId } = await call('export.start', options, ctx);
  const status = await ctx.jobs.wait(jobId);
  if (status.state !== 'succeeded') throw new Error(status.error?.message);
  return status.result as { path: string; files: { path: string; rows: number }[] };
}

/** Rows as DuckDB (an independent reader, in C++) reads them, with the file's column types. */
async function duckRead(file: string, select: string) {
  const duck = await DuckDBInstance.create(':memory:');
  const con = await duck.connect();
  try {
    const q = `'${file.replace(/'/g, "''")}'`;
    const types = (await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${q})`)).getRowObjectsJS();
    const rows = (await con.runAndReadAll(`SELECT ${select} FROM read_parquet(${q})`)).getRowObjectsJS();
    return { types: Object.fromEntries(types.map((t) => [t['column_name'], t['column_type']])), rows };
  } finally {
    con.closeSync();
    duck.closeSync();
  }
}

const jsonLines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('Parquet export', () => {
  it('holds exactly the JSONL rows, typed, as DuckDB and hyparquet read them', async () => {
    const project = { project: 'sentiment' };
    const options = { project, dir: out, labelSource: 'human+model' } as const;
    const jsonl = await exportNow({ ...options, name: 'as-jsonl', format: 'jsonl' });
    const parquet = await exportNow({ ...options, name: 'as-parquet', format: 'parquet' });
    expect(parquet.files.map((f) => f.rows)).toEqual(jsonl.files.map((f) => f.rows));
    for (const split of ['train', 'validation', 'test']) {
      const expected = jsonLines(path.join(jsonl.path, `${split}.jsonl`));
      const file = path.join(parquet.path, `${split}.parquet`);
      const { types, rows } = await duckRead(
        file,
        'id, epoch_ms(ts) AS ts_ms, text, features, metadata::VARCHAR AS metadata, label, label_source',
      );
      expect(types).toMatchObject({
        id: 'VARCHAR',
        ts: 'TIMESTAMP WITH TIME ZONE',
        text: 'VARCHAR',
        metadata: 'JSON',
        label: 'VARCHAR',
        label_source: 'VARCHAR',
      });
      // Logged as one vector, the features come back as a list, in JSONL and in Parquet.
      expect(types['features']).toBe('FLOAT[]');
      expect(rows).toHaveLength(expected.length);
      rows.forEach((row, i) => {
        const want = expected[i]!;
        expect(row['id']).toBe(want['id']);
        expect(Number(row['ts_ms'])).toBe(Date.parse(want['ts'] as string));
        expect(row['text']).toBe(want['text']);
        expect(JSON.parse(row['metadata'] as string)).toEqual(want['metadata']);
        expect(row['label']).toBe(want['label']);
        expect(row['label_source']).toBe(want['label_source']);
        const features = want['features'] as number[];
        expect(features).toHaveLength(32);
        expect(row['features'], `${split} row ${i}`).toEqual(features.map((v) => Math.fround(v)));
      });
      // A second reader, in JS, agrees on the whole rows.
      const buf = fs.readFileSync(file);
      const objects = (await parquetReadObjects({
        file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
        compressors,
      })) as Record<string, unknown>[];
      expect(objects.map((o) => [o['id'], o['label'], (o['ts'] as Date).toISOString()])).toEqual(
        expected.map((e) => [e['id'], e['label'], e['ts']]),
      );
    }
  });

  it('keeps features logged as named fields (CSV columns) a struct by name', async () => {
    const log = (
      await writeDemoLog({
        project: 'sentiment',
        rows: 300,
        modelVersion: 'v1',
        format: 'csv',
        outPath: path.join(dir, 'named.csv'),
      })
    ).path;
    await importGuessed(ctx, log, 'named');
    const options = {
      project: { project: 'named' },
      dir: out,
      labelSource: 'human+model',
      split: { kind: 'none' },
    } as const;
    const jsonl = await exportNow({ ...options, name: 'named-jsonl', format: 'jsonl' });
    const parquet = await exportNow({ ...options, name: 'named-parquet', format: 'parquet' });
    const expected = jsonLines(path.join(jsonl.path, 'all.jsonl'));
    expect(Object.keys(expected[0]!['features'] as object).slice(0, 2)).toEqual(['f0', 'f1']);
    const { types, rows } = await duckRead(path.join(parquet.path, 'all.parquet'), 'id, features');
    expect(String(types['features'])).toMatch(/^STRUCT\(f0 FLOAT, f1 FLOAT, f2 FLOAT/);
    expect(rows).toHaveLength(expected.length);
    rows.forEach((row, i) => {
      expect(row['id']).toBe(expected[i]!['id']);
      const want = Object.fromEntries(
        Object.entries(expected[i]!['features'] as Record<string, number>).map(([k, v]) => [k, Math.fround(v)]),
      );
      expect(row['features']).toEqual(want);
    });
  });

  it('writes an image project (binary, no features) with its image paths', async () => {
    const log = writeJsonl(
      path.join(dir, 'images.jsonl'),
      Array.from({ length: 30 }, (_, i) => ({
        id: `img-${i}`,
        ts: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
        image_path: i === 3 ? 'images/caf\u00e9 "3".png' : `images/${i}.png`,
        scores: [0.2 + (i % 5) / 10, 0.8 - (i % 5) / 10],
        model: 'cats',
        model_version: 'v1',
      })),
    );
    await importGuessed(ctx, log, 'images');
    const options = {
      project: { project: 'images' },
      dir: out,
      labelSource: 'human+model',
      split: { kind: 'none' },
    } as const;
    const jsonl = await exportNow({ ...options, name: 'images-jsonl', format: 'jsonl' });
    const parquet = await exportNow({ ...options, name: 'images-parquet', format: 'parquet' });
    const expected = jsonLines(path.join(jsonl.path, 'all.jsonl'));
    expect(expected[3]!['image_path']).toBe('images/café "3".png');
    const { types, rows } = await duckRead(
      path.join(parquet.path, 'all.parquet'),
      'id, epoch_ms(ts) AS ts_ms, image_path, label, label_source',
    );
    expect(Object.keys(types)).toEqual(['id', 'ts', 'image_path', 'metadata', 'label', 'label_source']);
    expect(rows.map((r) => [r['id'], Number(r['ts_ms']), r['image_path'], r['label'], r['label_source']])).toEqual(
      expected.map((e) => [e['id'], Date.parse(e['ts'] as string), e['image_path'], e['label'], e['label_source']]),
    );
  });

  it('writes multilabel labels as lists (empty ones too) and missing timestamps as nulls', async () => {
    const log = writeJsonl(path.join(dir, 'topics.jsonl'), topicRows(40));
    await importGuessed(ctx, log, 'topics');
    const project = { project: 'topics' };
    const say = (externalId: string, labels: string[]) =>
      call('labels.record', { project, externalId, annotator: 'ana', schemaVersion: 1, action: 'label', labels }, ctx);
    await say('n1', ['sports', 'politics']);
    await say('n2', []);
    const options = { project, dir: out, labelSource: 'human+model', split: { kind: 'none' } } as const;
    const jsonl = await exportNow({ ...options, name: 'topics-jsonl', format: 'jsonl' });
    const parquet = await exportNow({ ...options, name: 'topics-parquet', format: 'parquet' });
    const expected = jsonLines(path.join(jsonl.path, 'all.jsonl'));
    const file = path.join(parquet.path, 'all.parquet');
    const { types, rows } = await duckRead(file, 'id, ts, label, label_source');
    expect(types['label']).toBe('VARCHAR[]');
    expect(rows.map((r) => [r['id'], r['ts'], r['label'], r['label_source']])).toEqual(
      expected.map((e) => [e['id'], null, e['label'], e['label_source']]),
    );
    expect(rows.find((r) => r['id'] === 'n1')!['label']).toEqual(['politics', 'sports']);
    expect(rows.find((r) => r['id'] === 'n2')!['label']).toEqual([]);
    const buf = fs.readFileSync(file);
    const objects = (await parquetReadObjects({
      file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
      compressors,
    })) as Record<string, unknown>[];
    expect(objects.map((o) => o['label'])).toEqual(expected.map((e) => e['label']));
  });

  it('after a merge, a model label that two classes map to is written once', async () => {
    const project = { project: 'topics' }; // imported by the test above
    const [v1] = await call('labels.versions', project, ctx);
    const label = (id: string) => v1!.labels.find((l) => l.id === id)!;
    await call(
      'labels.create',
      {
        project,
        draft: {
          labels: [{ ...label('politics'), id: 'news' }, label('tech')],
          changeNote: 'politics and sports become news',
          mappingFromPrevious: [{ kind: 'merge', from: ['politics', 'sports'], to: 'news' }],
        },
      },
      ctx,
    );
    const options = { project, dir: out, labelSource: 'human+model', split: { kind: 'none' } } as const;
    const jsonl = await exportNow({ ...options, name: 'topics-merged', format: 'jsonl' });
    const lines = jsonLines(path.join(jsonl.path, 'all.jsonl'));
    // n5's scores put politics, sports and tech at or over 0.5.
    expect(lines.find((l) => l['id'] === 'n5')!['label']).toEqual(['news', 'tech']);
    for (const l of lines) {
      const labels = l['label'] as string[];
      expect(new Set(labels).size, `labels of ${String(l['id'])}`).toBe(labels.length);
    }
  });
});
