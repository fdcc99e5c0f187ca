import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLASSES, writeDemoLog, writeDemoSet, type DemoLogOptions } from './demo-data';

const ROWS = 5000;

interface SentimentRow {
  id: string;
  ts: string;
  text: string;
  features: number[];
  scores: number[];
  predicted_label: string;
  model: string;
  model_version: string;
  label?: string;
  channel: string;
  user_id: string;
  lang: string;
}

interface SpamRow extends Omit<SentimentRow, 'scores' | 'predicted_label'> {
  spam_score: number;
  prediction: string;
}

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flywheel-demo-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

async function write(name: string, opts: Omit<DemoLogOptions, 'outPath'>): Promise<string> {
  const result = await writeDemoLog({ ...opts, outPath: path.join(dir, name) });
  expect(result.rows).toBe(opts.rows);
  expect(result.bytes).toBe(fs.statSync(result.path).size);
  return result.path;
}

function readJsonl<T>(file: string): T[] {
  const raw = fs.readFileSync(file);
  const text = file.endsWith('.gz') ? zlib.gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as T);
}

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and newlines. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  expect(quoted).toBe(false);
  expect(field).toBe(''); // the file ends with a newline
  return records;
}

/** Word-level near-duplicates: same word count, at most two words differing once punctuation is gone. */
function nearDuplicateShare(texts: string[]): number {
  const byLength = new Map<number, string[][]>();
  let duplicates = 0;
  for (const text of texts) {
    const words = text
      .toLowerCase()
      .replace(/[^a-z0-9 ]/g, '')
      .split(' ');
    const earlier = byLength.get(words.length) ?? [];
    const isNear = earlier.some((other) => {
      let differing = 0;
      for (let k = 0; k < words.length && differing <= 2; k++) if (words[k] !== other[k]) differing++;
      return differing <= 2;
    });
    if (isNear) duplicates++;
    earlier.push(words);
    byLength.set(words.length, earlier);
  }
  return duplicates / texts.length;
}

/** Everything wrong with one sentiment row, as readable messages (one expect per row field is slow). */
function sentimentProblems(row: SentimentRow, previous: SentimentRow | undefined): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, message: string) => ok || problems.push(message);
  check(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(row.ts), `ts ${row.ts}`);
  check(previous === undefined || row.ts >= previous.ts, 'ts decreases');
  check(row.text.length >= 150 && row.text.length <= 250, `text length ${row.text.length}`);
  check(row.features.length === 32 && row.features.every(Number.isFinite), 'features');
  check(row.scores.length === 3 && row.scores.every((s) => s >= 0 && s <= 1), `scores ${row.scores}`);
  check(Math.abs(row.scores.reduce((a, b) => a + b, 0) - 1) < 1e-5, `score sum ${row.scores}`);
  const argmax = DEMO_CLASSES.sentiment[row.scores.indexOf(Math.max(...row.scores))];
  check(row.predicted_label === argmax, `predicted ${row.predicted_label}`);
  check(row.model === 'sentiment-clf' && row.model_version === 'v1', 'model');
  check(['web', 'mobile', 'email'].includes(row.channel), `channel ${row.channel}`);
  check(/^u-\d{5,}$/.test(row.user_id), `user ${row.user_id}`);
  return problems;
}

describe('writeDemoLog', () => {
  it('is deterministic for a seed and differs across seeds', async () => {
    const base = { project: 'sentiment', rows: 1500, modelVersion: 'v1', format: 'jsonl' } as const;
    const a = await write('det-a.jsonl', { ...base, seed: 7 });
    const b = await write('det-b.jsonl', { ...base, seed: 7 });
    const c = await write('det-c.jsonl', { ...base, seed: 8 });
    expect(fs.readFileSync(a).equals(fs.readFileSync(b))).toBe(true);
    expect(fs.readFileSync(a).equals(fs.readFileSync(c))).toBe(false);
  });

  it('writes sentiment rows with valid scores, texts, timestamps and ~10% ground truth', async () => {
    const rows = readJsonl<SentimentRow>(
      await write('sentiment-v1.jsonl', { project: 'sentiment', rows: ROWS, modelVersion: 'v1', format: 'jsonl' }),
    );
    expect(rows).toHaveLength(ROWS);
    expect(rows[0]!.id).toBe('s-0000001');
    expect(Object.keys(rows[0]!).slice(0, 6)).toEqual(['id', 'ts', 'text', 'features', 'scores', 'predicted_label']);
    expect(rows.flatMap((row, i) => sentimentProblems(row, rows[i - 1]).map((p) => `${row.id}: ${p}`))).toEqual([]);
    expect(rows[0]!.ts >= '2026-09-01T00:00:00.000Z').toBe(true);
    expect(rows[ROWS - 1]!.ts < '2026-10-13T00:00:00.000Z').toBe(true); // 42 days

    const labelled = rows.filter((r) => r.label !== undefined);
    expect(labelled.length / ROWS).toBeGreaterThan(0.07);
    expect(labelled.length / ROWS).toBeLessThan(0.13);
    for (const r of labelled) expect(DEMO_CLASSES.sentiment).toContain(r.label);

    const confidences = rows.map((r) => Math.max(...r.scores));
    expect(Math.min(...confidences)).toBeLessThan(0.45);
    expect(Math.max(...confidences)).toBeGreaterThan(0.97);
    expect(new Set(rows.map((r) => r.user_id)).size).toBeGreaterThan(ROWS / 40);
    expect(rows.filter((r) => r.lang === 'en').length / ROWS).toBeGreaterThan(0.8);

    const share = (test: (t: string) => boolean) => rows.filter((r) => test(r.text)).length / ROWS;
    expect(share((t) => t.includes('"'))).toBeGreaterThan(0.02);
    expect(share((t) => t.includes(','))).toBeGreaterThan(0.04);
    expect(share((t) => /[^ -~]/.test(t))).toBeGreaterThan(0);
    expect(nearDuplicateShare(rows.map((r) => r.text))).toBeGreaterThan(0.01);
  });

  it('describes the same examples across model versions, disagreeing on 3-12% of predictions', async () => {
    const options = { project: 'sentiment', rows: ROWS, format: 'jsonl' } as const;
    const v1 = readJsonl<SentimentRow>(await write('same-v1.jsonl', { ...options, modelVersion: 'v1' }));
    const v2 = readJsonl<SentimentRow>(await write('same-v2.jsonl', { ...options, modelVersion: 'v2' }));
    let disagreements = 0;
    for (let i = 0; i < ROWS; i++) {
      const a = v1[i]!;
      const b = v2[i]!;
      const { scores: _s1, predicted_label: p1, model_version: _v1, ...facts1 } = a;
      const { scores: _s2, predicted_label: p2, model_version: _v2, ...facts2 } = b;
      expect(facts2).toEqual(facts1);
      if (p1 !== p2) disagreements++;
    }
    expect(disagreements / ROWS).toBeGreaterThan(0.03);
    expect(disagreements / ROWS).toBeLessThan(0.12);
  });

  it('writes RFC 4180 CSV with the same content as JSONL', async () => {
    const options = { project: 'sentiment', rows: ROWS, modelVersion: 'v2', seed: 3 } as const;
    const jsonl = readJsonl<SentimentRow>(await write('csv-ref.jsonl', { ...options, format: 'jsonl' }));
    const text = fs.readFileSync(await write('sentiment.csv', { ...options, format: 'csv' }), 'utf8');
    expect(text.includes('\r')).toBe(false);
    const [header, ...records] = parseCsv(text);
    const features = Array.from({ length: 32 }, (_, d) => `f${d}`);
    expect(header).toEqual([
      'id',
      'ts',
      'text',
      ...features,
      'predicted_label',
      'p_negative',
      'p_neutral',
      'p_positive',
      'model',
      'model_version',
      'label',
      'channel',
      'user_id',
      'lang',
    ]);
    expect(records).toHaveLength(ROWS);
    const expected = jsonl.map((row) => [
      row.id,
      row.ts,
      row.text,
      ...row.features.map(String),
      row.predicted_label,
      ...row.scores.map(String),
      'sentiment-clf',
      'v2',
      row.label ?? '',
      row.channel,
      row.user_id,
      row.lang,
    ]);
    expect(records).toEqual(expected);
    // Every text field is quoted, even without special characters.
    expect(text.split('\n')[1]).toMatch(/^s-0000001,[^,]+,"/);
  });

  it('gzips spam JSONL with P(spam) scores', async () => {
    const file = await write('spam.jsonl.gz', {
      project: 'spam',
      rows: 3000,
      modelVersion: 'v3',
      format: 'jsonl',
      gzip: true,
    });
    expect(fs.readFileSync(file).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const rows = readJsonl<SpamRow>(file);
    expect(rows).toHaveLength(3000);
    expect(rows[0]!.id).toBe('m-0000001');
    const bad = rows.filter(
      (r) =>
        r.features.length !== 16 ||
        !(r.spam_score >= 0 && r.spam_score <= 1) ||
        r.prediction !== (r.spam_score >= 0.5 ? 'spam' : 'ham') ||
        r.model !== 'spam-filter',
    );
    expect(bad).toEqual([]);
    const spamShare = rows.filter((r) => r.prediction === 'spam').length / rows.length;
    expect(spamShare).toBeGreaterThan(0.15);
    expect(spamShare).toBeLessThan(0.5);
  });

  it('writes Parquet that DuckDB reads with list columns and no leftover temp file', async () => {
    const sub = path.join(dir, 'parquet');
    const file = await write('parquet/sentiment.parquet', {
      project: 'sentiment',
      rows: 3000,
      modelVersion: 'v1',
      format: 'parquet',
    });
    expect(fs.readdirSync(sub)).toEqual(['sentiment.parquet']);
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    try {
      const sql = (query: string) => con.runAndReadAll(query).then((r) => r.getRowObjectsJson());
      const source = `read_parquet('${file.replace(/'/g, "''")}')`;
      const [stats] = await sql(
        `SELECT count(*) AS n, min(len(features)) AS fmin, max(len(features)) AS fmax,
                min(len(scores)) AS smin, max(len(scores)) AS smax, count(label) AS labelled,
                typeof(any_value(features)) AS ftype, typeof(any_value(scores)) AS stype
         FROM ${source}`,
      );
      expect(stats).toMatchObject({ n: '3000', fmin: '32', fmax: '32', smin: '3', smax: '3' });
      expect(stats!.ftype).toBe('FLOAT[]');
      expect(stats!.stype).toBe('FLOAT[]');
      expect(Number(stats!.labelled)).toBeGreaterThan(150);
      const columns = await sql(`SELECT column_name FROM (DESCRIBE SELECT * FROM ${source})`);
      expect(columns.map((c) => c.column_name)).toEqual([
        'id',
        'ts',
        'text',
        'features',
        'scores',
        'predicted_label',
        'model',
        'model_version',
        'label',
        'channel',
        'user_id',
        'lang',
      ]);
    } finally {
      con.closeSync();
      instance.closeSync();
    }
  });

  it('rejects bad options', async () => {
    const base = { project: 'spam', rows: 10, modelVersion: 'v1', outPath: path.join(dir, 'bad') } as const;
    await expect(writeDemoLog({ ...base, format: 'parquet', gzip: true })).rejects.toThrow(/gzip/);
    await expect(writeDemoLog({ ...base, rows: -1, format: 'jsonl' })).rejects.toThrow(/rows/);
  });
});

describe('writeDemoSet', () => {
  it('writes the four demo logs over shared example ids', async () => {
    const set = path.join(dir, 'set');
    const paths = await writeDemoSet(set, 400, 11);
    expect(paths.map((p) => path.basename(p))).toEqual([
      'sentiment-v1.jsonl',
      'sentiment-v2.csv',
      'spam-v3.jsonl.gz',
      'spam-v4.jsonl.gz',
    ]);
    const v1 = readJsonl<SentimentRow>(paths[0]!);
    const [, ...v2] = parseCsv(fs.readFileSync(paths[1]!, 'utf8'));
    const spam = readJsonl<SpamRow>(paths[2]!);
    expect(v1).toHaveLength(400);
    expect(v2.map((r) => [r[0], r[2]])).toEqual(v1.map((r) => [r.id, r.text]));
    expect(v2.every((r) => r[r.length - 5] === 'v2')).toBe(true);
    expect(spam).toHaveLength(400);
    expect(spam.every((r) => r.model_version === 'v3')).toBe(true);
    const challenger = readJsonl<SpamRow>(paths[3]!);
    expect(challenger.map((r) => [r.id, r.text])).toEqual(spam.map((r) => [r.id, r.text]));
    expect(challenger.every((r) => r.model_version === 'v4')).toBe(true);
  });
});
