// Import happy paths, end to end: real files, a real SQLite database, the built parser worker.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../core/dispatch';
import { spoolPrefix } from './batch-spool';
import {
  counts,
  expectClose,
  fileSha256,
  importFile,
  importGuessed,
  makeTempDir,
  openContext,
  removeDir,
  SENTIMENT,
  sentimentRow,
  storedScores,
  TOPICS,
  topicRows,
  writeJsonl,
  writeParquet,
  type TestContext,
} from '../../../../test/helpers/import-fixtures';

const N = 30;
const rows = Array.from({ length: N }, (_, i) => sentimentRow(i));

let dir: string;
let ctx: TestContext | null = null;
let dbCount = 0;

/** A fresh database for each test. */
function freshContext(): TestContext {
  ctx = openContext(dir, `happy-${++dbCount}.db`);
  return ctx;
}

beforeAll(() => {
  dir = makeTempDir('import-happy');
});

afterEach(async () => {
  await ctx?.dispose();
  ctx = null;
});

afterAll(() => removeDir(dir));

function expectSentimentScores(c: TestContext, modelVersion?: string): void {
  const stored = storedScores(c, modelVersion);
  expect(stored.size).toBe(N);
  for (const r of rows) {
    const s = stored.get(r['id'] as string);
    expect(s, `row ${String(r['id'])} stored`).toBeDefined();
    expectClose(s!.scores, r['scores'] as number[]);
    expect(SENTIMENT[s!.predicted]).toBe(r['predicted_label']);
  }
}

describe('import: happy paths', () => {
  it('imports a small multiclass JSONL log (scores array + predicted_label) with the guessed mapping', async () => {
    const c = freshContext();
    const file = writeJsonl(path.join(dir, 'sentiment.jsonl'), rows);
    const { status, run, mapping } = await importGuessed(c, file);
    expect(status.error).toBeUndefined();
    expect(status.state).toBe('succeeded');
    expect(mapping.taskType).toBe('multiclass');
    expect(mapping.classes).toEqual([...SENTIMENT]);
    expect(run).toMatchObject({ status: 'done', format: 'jsonl', rowsImported: N, examplesAdded: N, rowsRejected: 0 });
    expect(run.sha256).toBe(fileSha256(file));
    expect(run.rejectsPath).toBeNull();
    expect(await counts(c)).toMatchObject({ examples: N, predictions: N, modelRuns: 1, interruptedImports: 0 });
    expectSentimentScores(c);
    const first = c.store.db.prepare(`SELECT ts, text FROM examples WHERE external_id = 'ex-0'`).get() as {
      ts: number;
      text: string;
    };
    expect(first).toEqual({ ts: 1_700_000_000_000, text: 'review number 0 about something' });
  });

  it('imports a CSV with one p_<class> column per class', async () => {
    const c = freshContext();
    const header = 'id,text,p_negative,p_neutral,p_positive,predicted_label,model,model_version';
    const lines = rows.map((r) => {
      const s = r['scores'] as number[];
      return [r['id'], `"${String(r['text'])}"`, s[0], s[1], s[2], r['predicted_label'], 'sent', 'v1'].join(',');
    });
    const file = path.join(dir, 'sentiment.csv');
    fs.writeFileSync(file, [header, ...lines].join('\n') + '\n');
    const { status, run, mapping } = await importGuessed(c, file);
    expect(status.error).toBeUndefined();
    expect(mapping.scores).toEqual({ kind: 'columns', columns: ['p_negative', 'p_neutral', 'p_positive'] });
    expect(mapping.classes).toEqual([...SENTIMENT]);
    expect(run).toMatchObject({ status: 'done', format: 'csv', rowsImported: N, rowsRejected: 0 });
    expect(run.sha256).toBe(fileSha256(file));
    expect(await counts(c)).toMatchObject({ examples: N, predictions: N, modelRuns: 1 });
    expectSentimentScores(c);
  });

  it('previews logs of long rows from enough rows to name the classes (JSONL, gzip JSONL, CSV)', async () => {
    // 40 KB a row: the first 64 KB of the file hold one row, whose label names one class of three.
    // Paragraph breaks in the CSV text are line breaks inside quotes, not records.
    const long = (i: number) => sentimentRow(i, { text: `${'a long paragraph\n\n'.repeat(2200)}${i}` });
    const jsonl = writeJsonl(
      path.join(dir, 'long.jsonl'),
      Array.from({ length: 30 }, (_, i) => long(i)),
    );
    const gz = path.join(dir, 'long.jsonl.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(jsonl)));
    const csv = path.join(dir, 'long.csv');
    const csvRows = Array.from({ length: 30 }, (_, i) => {
      const r = long(i);
      const [a, b, c] = r['scores'] as number[];
      return [r['id'], `"${String(r['text'])}"`, a, b, c, r['predicted_label'], 'sent', 'v1'].join(',');
    });
    fs.writeFileSync(
      csv,
      ['id,text,p_negative,p_neutral,p_positive,predicted_label,model,model_version', ...csvRows].join('\n'),
    );
    const c = freshContext();
    for (const file of [jsonl, gz, csv]) {
      const preview = await call('import.preview', { path: file, project: 'p', sampleRows: 20 }, c);
      expect(preview.sample, file).toHaveLength(20);
      expect(preview.mapping?.classes, file).toEqual([...SENTIMENT]);
    }
  });

  it('previews a gzip log whose start passes the 16 MB cap from the rows that fit under it', async () => {
    // 600 KB rows that compress ~170×: 64 KB of gzip hold 18 rows, 256 KB would pass the cap.
    const words = Array.from({ length: 400 }, (_, i) => `w${(i * 7919) % 10007}`).join(' ');
    const rows = Array.from({ length: 30 }, (_, i) => sentimentRow(i, { text: `${words.repeat(260)} ${i}` }));
    const plain = writeJsonl(path.join(dir, 'docs.jsonl'), rows);
    const gz = path.join(dir, 'docs.jsonl.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(plain)));
    const c = freshContext();
    for (const file of [plain, gz]) {
      const preview = await call('import.preview', { path: file, project: 'p', sampleRows: 20 }, c);
      expect(preview.sample, file).toHaveLength(20);
    }
  });

  it('imports a CSV whose labels are class indexes, as its preview checked them', async () => {
    const c = freshContext();
    const header = 'id,text,p_negative,p_neutral,p_positive,predicted_label,label,model,model_version';
    const lines = rows.map((r, i) => {
      const s = r['scores'] as number[];
      const win = SENTIMENT.indexOf(r['predicted_label'] as (typeof SENTIMENT)[number]);
      return [r['id'], `"${String(r['text'])}"`, s[0], s[1], s[2], win, i % 3, 'sent', 'v1'].join(',');
    });
    const file = path.join(dir, 'indexes.csv');
    fs.writeFileSync(file, [header, ...lines].join('\n') + '\n');
    const preview = await call('import.preview', { path: file, project: 'p' }, c);
    const mapping = { ...preview.mapping!, groundTruth: 'label' };
    const checked = await call('import.preview', { path: file, project: 'p', mapping }, c);
    expect(checked.sampleRejects).toEqual([]);
    const { status, run } = await importFile(c, file, mapping);
    expect(status.error).toBeUndefined();
    expect(run).toMatchObject({ status: 'done', rowsImported: N, rowsRejected: 0 });
    expectSentimentScores(c);
    const truth = c.store.db.prepare(`SELECT ground_truth FROM examples WHERE external_id = 'ex-4'`).pluck().get();
    expect(truth).toBe(SENTIMENT[4 % 3]);
  });

  it('imports a multilabel CSV whose label cells hold JSON lists, as its preview checked them', async () => {
    const c = freshContext();
    const mlRows = topicRows(12);
    const quote = (v: unknown) => `"${JSON.stringify(v).replace(/"/g, '""')}"`;
    const lines = mlRows.map((r) =>
      [r.id, r.text, quote(r.scores), quote(r.predicted_label), r.model, r.model_version].join(','),
    );
    const file = path.join(dir, 'topics.csv');
    fs.writeFileSync(file, ['id,text,scores,predicted_label,model,model_version', ...lines].join('\n') + '\n');
    const preview = await call('import.preview', { path: file, project: 'p' }, c);
    expect(preview.mapping).toMatchObject({ taskType: 'multilabel', classes: [...TOPICS] });
    expect(preview.sampleRejects).toEqual([]);
    const { status, run } = await importFile(c, file, preview.mapping!);
    expect(status.error).toBeUndefined();
    expect(run).toMatchObject({ status: 'done', rowsImported: 12, rowsRejected: 0 });
    const stored = storedScores(c);
    for (const r of mlRows) {
      const mask = r.predicted_label.reduce((m, name) => m + 2 ** TOPICS.indexOf(name), 0);
      expect(stored.get(r.id)!.predicted, `bitmask of row ${r.id}`).toBe(mask);
    }
  });

  it('imports a gzip-compressed JSONL log', async () => {
    const c = freshContext();
    const plain = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
    const file = path.join(dir, 'sentiment.jsonl.gz');
    fs.writeFileSync(file, zlib.gzipSync(plain));
    const { status, run } = await importGuessed(c, file);
    expect(status.error).toBeUndefined();
    expect(run).toMatchObject({ status: 'done', format: 'jsonl', compression: 'gzip', rowsImported: N });
    expect(run.sha256, 'of the compressed file').toBe(fileSha256(file));
    expect(await counts(c)).toMatchObject({ examples: N, predictions: N, modelRuns: 1 });
    expectSentimentScores(c);
  });

  it('imports a Parquet file written by DuckDB', async () => {
    const c = freshContext();
    const file = await writeParquet(path.join(dir, 'sentiment.parquet'), rows, {
      extra: `'web' AS "__proto__"`,
      order: 'ts',
    });
    const { status, run, mapping } = await importGuessed(c, file);
    expect(status.error).toBeUndefined();
    expect(mapping.classes).toEqual([...SENTIMENT]);
    // A column named __proto__ is data like any other: it lands in the metadata.
    expect(mapping.metadata).toEqual(['__proto__']);
    const meta = c.store.db.prepare('SELECT DISTINCT metadata FROM examples').pluck().all();
    expect(meta).toEqual(['{"__proto__":"web"}']);
    expect(run).toMatchObject({ status: 'done', format: 'parquet', rowsImported: N, rowsRejected: 0 });
    expect(run.sha256).toBe(fileSha256(file));
    expect(await counts(c)).toMatchObject({ examples: N, predictions: N, modelRuns: 1 });
    expectSentimentScores(c);
  });

  it('imports a Parquet file of several chunks and batches whole and in order, and leaves no batch files behind', async () => {
    const c = freshContext();
    // DuckDB hands out 2,048 rows a chunk, the next fetched while this one is read; batches of
    // 700 rows cut across chunks, and each travels from the reader process as a file.
    const many = Array.from({ length: 5000 }, (_, i) => sentimentRow(i, { text: `review ${i} ${'é'.repeat(i % 7)}` }));
    const file = await writeParquet(path.join(dir, 'chunks.parquet'), many, { order: 'ts' });
    const preview = await call('import.preview', { path: file, project: 'p' }, c);
    const spools = () => {
      const prefix = spoolPrefix();
      return fs.readdirSync(path.dirname(prefix)).filter((f) => f.startsWith(path.basename(prefix)));
    };
    const { status, run } = await importFile(c, file, preview.mapping!, { batchRows: 700 });
    expect(status.error).toBeUndefined();
    expect(run).toMatchObject({ rowsImported: 5000, rowsRejected: 0, recordsRead: 5000 });
    const stored = c.store.db.prepare('SELECT external_id, text, ts FROM examples ORDER BY id').all() as {
      external_id: string;
      text: string;
      ts: number;
    }[];
    expect(stored.map((s) => [s.external_id, s.text, s.ts])).toEqual(many.map((r) => [r['id'], r['text'], r['ts']]));
    expect(spools()).toEqual([]);
  });

  it('imports Parquet text columns whole: 2-, 3- and 4-byte UTF-8, empty strings and NULLs, in any column', async () => {
    const c = freshContext();
    const texts = [
      'héllo wörld',
      '日本語のテキスト',
      'ok 👍🏽 fine',
      '',
      'plain ascii text that is long enough to matter',
    ];
    const cities = [null, 'Zürich', 'a', '', 'São Paulo 🌆'];
    // Short columns are read packed into one string a row; notes, ~1.5 KB a value, on their own.
    const varied = rows.map((r, i) => ({
      ...r,
      text: texts[i % texts.length]!,
      city: cities[i % cities.length] ?? null,
      notes: i % 4 === 1 ? null : `${i} ${'Größe '.repeat(250)}`,
    }));
    const file = await writeParquet(path.join(dir, 'utf8.parquet'), varied, { extra: 'city, notes', order: 'ts' });
    const { status, run } = await importGuessed(c, file);
    expect(status.error).toBeUndefined();
    expect(run).toMatchObject({ rowsImported: N, rowsRejected: 0 });
    const stored = c.store.db.prepare('SELECT external_id, text, metadata FROM examples').all() as {
      external_id: string;
      text: string | null;
      metadata: string | null;
    }[];
    expect(stored).toHaveLength(N);
    for (const s of stored) {
      const r = varied.find((v) => (v as Record<string, unknown>)['id'] === s.external_id)!;
      expect(s.text, s.external_id).toBe(r.text);
      const meta = { ...(r.city === null ? {} : { city: r.city }), ...(r.notes === null ? {} : { notes: r.notes }) };
      expect(s.metadata, s.external_id).toBe(Object.keys(meta).length === 0 ? null : JSON.stringify(meta));
    }
    expectSentimentScores(c);
  });

  it('keeps a byte-order mark that starts a Parquet text, and every text after it, in place', async () => {
    const c = freshContext();
    // Integer ids: the text is the first of the row's text columns, where a decoder drops a mark.
    // Notes, ~2 KB a value, come alone rather than packed: a mark that starts one is kept too.
    const notes = (i: number) => `${i === 1 ? '\uFEFF' : ''}${'note '.repeat(400)}`;
    const marked = rows.map((r, i) => ({
      ...r,
      id: i + 1,
      text: i === 1 ? '\uFEFFreview 1' : r['text'],
      city: 'Paris',
      notes: notes(i),
    }));
    const file = await writeParquet(path.join(dir, 'bom.parquet'), marked, { extra: 'city, notes', order: 'ts' });
    const { status, run } = await importGuessed(c, file);
    expect(status.error).toBeUndefined();
    expect(run).toMatchObject({ rowsImported: N, rowsRejected: 0 });
    const two = c.store.db.prepare("SELECT text, metadata FROM examples WHERE external_id = '2'").get();
    expect(two).toEqual({ text: '\uFEFFreview 1', metadata: JSON.stringify({ city: 'Paris', notes: notes(1) }) });
    const three = c.store.db.prepare("SELECT text, metadata FROM examples WHERE external_id = '3'").get();
    expect(three).toEqual({ text: rows[2]!['text'], metadata: JSON.stringify({ city: 'Paris', notes: notes(2) }) });
  });

  it('imports Parquet metadata whatever its columns are named or hold: NULL "constructor", a STRUCT with a BIGINT', async () => {
    const c = freshContext();
    const file = await writeParquet(path.join(dir, 'meta.parquet'), rows, {
      extra: `NULL::VARCHAR AS "constructor",
              CASE WHEN id = 'ex-1' THEN {'n': 9007199254740993::BIGINT, 'k': 'x'} END AS extra`,
      order: 'ts',
    });
    const { status, run, mapping } = await importGuessed(c, file);
    expect(status.error).toBeUndefined();
    expect(run).toMatchObject({ status: 'done', rowsImported: N, rowsRejected: 0 });
    expect(mapping.metadata).toEqual(['constructor', 'extra']);
    // NULL cells are left out, not read back as Object.prototype.constructor: rows with neither
    // field have no metadata at all. The BIGINT beyond 2^53 keeps its digits as a string.
    const meta = c.store.db.prepare('SELECT DISTINCT metadata FROM examples ORDER BY metadata').pluck().all();
    expect(meta).toEqual([null, '{"extra":{"n":"9007199254740993","k":"x"}}']);
  });

  it('imports a binary log with one score column (spam_score) as P(spam)', async () => {
    const c = freshContext();
    const spamRows = Array.from({ length: 20 }, (_, i) => {
      const score = 0.03 + ((i * 37) % 20) * 0.047; // 0.03 .. 0.923
      return { id: `m${i}`, text: `mail ${i}`, spam_score: score, predicted_label: score >= 0.5 ? 'spam' : 'ham' };
    });
    const file = writeJsonl(path.join(dir, 'spam.jsonl'), spamRows);
    const { status, run, mapping } = await importGuessed(c, file);
    expect(status.error).toBeUndefined();
    expect(mapping).toMatchObject({ taskType: 'binary', classes: ['ham', 'spam'] });
    expect(mapping.scores).toEqual({ kind: 'columns', columns: ['spam_score'] });
    expect(run).toMatchObject({ status: 'done', rowsImported: 20, rowsRejected: 0 });
    expect(await counts(c)).toMatchObject({ examples: 20, predictions: 20, modelRuns: 1 });
    const stored = storedScores(c);
    for (const r of spamRows) {
      const s = stored.get(r.id)!;
      expectClose(s.scores, [r.spam_score]); // binary: one float, P(classes[1])
      expect(s.predicted).toBe(r.predicted_label === 'spam' ? 1 : 0);
    }
  });

  it('imports a multilabel log (label lists, independent sigmoid-style probabilities)', async () => {
    const c = freshContext();
    const classes = [...TOPICS];
    const mlRows = topicRows(24);
    const file = writeJsonl(path.join(dir, 'topics.jsonl'), mlRows);
    const { status, run, mapping } = await importGuessed(c, file);
    expect(status.error).toBeUndefined();
    expect(mapping).toMatchObject({ taskType: 'multilabel', classes, scoreTransform: 'none' });
    expect(run).toMatchObject({ status: 'done', rowsImported: 24, rowsRejected: 0 });
    expect(await counts(c)).toMatchObject({ examples: 24, predictions: 24, modelRuns: 1 });
    const stored = storedScores(c);
    for (const r of mlRows) {
      const s = stored.get(r.id)!;
      expectClose(s.scores, r.scores);
      const mask = r.predicted_label.reduce((m, name) => m + 2 ** classes.indexOf(name), 0);
      expect(s.predicted, `bitmask of row ${r.id}`).toBe(mask);
    }
  });

  it('a second log (another model_version) for the same ids adds one model run and no examples', async () => {
    const c = freshContext();
    const v1 = writeJsonl(path.join(dir, 'v1.jsonl'), rows);
    const v2Rows = rows.map((r, i) =>
      sentimentRow(i + 1, { id: r['id'], text: r['text'], ts: r['ts'], model_version: 'v2' }),
    );
    const v2 = writeJsonl(path.join(dir, 'v2.jsonl'), v2Rows);
    const first = await importGuessed(c, v1);
    expect(first.status.error).toBeUndefined();
    const second = await importGuessed(c, v2);
    expect(second.status.error).toBeUndefined();
    expect(second.run).toMatchObject({
      status: 'done',
      rowsImported: N,
      examplesAdded: 0,
      rowsPresent: 0,
      rowsRejected: 0,
    });
    expect(await counts(c)).toMatchObject({ examples: N, predictions: 2 * N, modelRuns: 2 });
    const stats = await call('projects.stats', { project: 'p' }, c);
    expect(stats.modelRuns.map((m) => [m.modelName, m.modelVersion, m.predictions])).toEqual([
      ['sent', 'v1', N],
      ['sent', 'v2', N],
    ]);
    const storedV2 = storedScores(c, 'v2');
    for (const r of v2Rows) expectClose(storedV2.get(r['id'] as string)!.scores, r['scores'] as number[]);
  });

  it('a log overlapping an earlier one (same model version) adds only the new rows; the overlap is present', async () => {
    const c = freshContext();
    const first = writeJsonl(path.join(dir, 'overlap-1.jsonl'), rows.slice(0, 20));
    const second = writeJsonl(path.join(dir, 'overlap-2.jsonl'), rows.slice(10));
    expect((await importGuessed(c, first)).run).toMatchObject({ rowsImported: 20, examplesAdded: 20 });
    const { status, run } = await importGuessed(c, second);
    expect(status.error).toBeUndefined();
    expect(run).toMatchObject({
      status: 'done',
      rowsImported: 10,
      rowsPresent: 10,
      examplesAdded: 10,
      rowsRejected: 0,
    });
    expect(await counts(c)).toMatchObject({ examples: N, predictions: N, modelRuns: 1 });
    expectSentimentScores(c);
  });

  it('importing the same file twice adds nothing the second time (alreadyImported)', async () => {
    const c = freshContext();
    const file = writeJsonl(path.join(dir, 'twice.jsonl'), rows);
    const first = await importGuessed(c, file);
    expect(first.run).toMatchObject({ status: 'done', rowsImported: N, alreadyImported: false });
    const before = await counts(c);
    const second = await importGuessed(c, file);
    expect(second.status.state).toBe('succeeded');
    expect(second.run).toMatchObject({ id: first.run.id, alreadyImported: true });
    expect(await counts(c)).toEqual(before);
    expect(c.store.db.prepare('SELECT count(*) FROM import_runs').pluck().get()).toBe(1);
  });
});
