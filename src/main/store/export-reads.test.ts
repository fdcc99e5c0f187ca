import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportReadQueries, numberList, type ByteColumn } from './export-reads';
import { Store } from './store';

let dir: string;
let store: Store;
let reads: ExportReadQueries;

const f32 = (...v: number[]) => Buffer.from(new Float32Array(v).buffer);

/** Examples chosen for the edges of the column reads; id 3 is never asked for. */
const EXAMPLES: [number, string, number | null, string | null, Buffer | null, string | null, string | null][] = [
  // id, external id, ts, text, features, image path, metadata
  [1, 's-1', 1000, 'héllo "q"\n\u2028 😀 \\ end', f32(1.5, -2, 0.1, 3), null, '{"a":1}'],
  [2, 'a\u0000b', null, null, null, 'img/x.png', null],
  [3, 's-3', 5, 'x'.repeat(100_000), f32(1), null, '{}'],
  [4, 's-4', -5, '', Buffer.from([1, 2, 3, 4, 5, 6]), null, '{"k":"\\u0000"}'],
  [5, 's-5', 2.5, 'after a blob of six bytes', f32(7, 8, 9, 10), null, '{}'],
  [6, '"quoted"', 8.64e15, 'tab\there', Buffer.alloc(0), null, '{"group":"g"}'],
];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flywheel-export-reads-'));
  store = Store.open(path.join(dir, 'a.db'));
  const db = store.db;
  db.prepare(
    `INSERT INTO projects (id, name, task_type, input_kind, classes, feature_names, created_at)
     VALUES (1, 'p', 'multiclass', 'tabular', '["a","b"]', '["f0","f1","f2","f3"]', 0)`,
  ).run();
  db.prepare(
    `INSERT INTO import_runs (id, project_id, source_path, source_size, fingerprint, format, compression, mapping, strict, status, started_at)
     VALUES (1, 1, 'x.jsonl', 0, '', 'jsonl', 'none', '{}', 0, 'done', 0)`,
  ).run();
  db.prepare(
    `INSERT INTO label_schema_versions (id, project_id, version, labels, created_at) VALUES (1, 1, 1, '[]', 0)`,
  ).run();
  db.prepare(`INSERT INTO annotators (id, name, created_at) VALUES (1, 'ann', 0), (2, 'bob', 0)`).run();
  const insert = db.prepare(
    `INSERT INTO examples (id, project_id, external_id, ts, text, features, image_path, metadata, content_hash, import_run_id)
     VALUES (?, 1, ?, ?, ?, ?, ?, ?, 0, 1)`,
  );
  for (const e of EXAMPLES) insert.run(...e);
  const event = db.prepare(
    `INSERT INTO label_events (project_id, example_id, annotator_id, schema_version_id, action, labels, created_at)
     VALUES (1, ?, ?, 1, ?, ?, ?)`,
  );
  event.run(1, 1, 'label', '["a"]', 10);
  event.run(4, 2, 'skip', null, 11);
  event.run(1, 2, 'label', '["b"]', 12);
  event.run(5, 1, 'label', '["a","b"]', 13);
  event.run(4, 1, 'undo', null, 14);
  reads = new ExportReadQueries(db);
});

afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const text = (c: ByteColumn, r: number) => Buffer.from(c.bytes.subarray(c.starts[r], c.ends[r])).toString('utf8');

describe('export column reads', () => {
  it.each([
    ['ids with a gap (joined to them)', [1, 2, 4, 5, 6]],
    ['a run of ids (one rowid range)', [1, 2, 3, 4, 5, 6]],
  ])('reads a chunk as JSONL columns that hold what the rows hold, byte for byte: %s', (_, ids) => {
    const rows = reads.examples(ids);
    const c = reads.jsonlColumns(ids);
    expect(Array.from(c.ids)).toEqual(ids);
    rows.forEach((row, r) => {
      expect(c.ts[r]).toEqual(row.ts ?? Number.NaN);
      expect(JSON.parse(text(c.externalId, r))).toBe(row.external_id);
      expect(text(c.externalId, r)).toBe(JSON.stringify(row.external_id));
      expect(JSON.parse(text(c.text, r))).toBe(row.text);
      expect(JSON.parse(text(c.imagePath, r))).toBe(row.image_path);
      expect(c.metadata.starts[r] === c.metadata.ends[r] ? null : text(c.metadata, r)).toBe(row.metadata);
      const count = c.featureCount[r]!;
      if (row.features === null) expect(count).toBe(-1);
      else {
        const expected = Array.from(
          new Float32Array(row.features.buffer.slice(row.features.byteOffset), 0, row.features.length >> 2),
        );
        expect(Array.from(c.floats.subarray(c.featureStart[r], c.featureStart[r]! + count))).toEqual(expected);
      }
    });
    // The six-byte blob left row 5's floats unaligned in the joined bytes: they were copied out.
    expect(c.featureCount[ids.indexOf(4)]).toBe(1);
  });

  it('reads an empty chunk, and examples asked for that do not exist are simply absent', () => {
    expect(reads.jsonlColumns([]).ids.length).toBe(0);
    expect(Array.from(reads.jsonlColumns([2, 99]).ids)).toEqual([2]);
  });

  it('reads the keys that choosing rows needs, external ids with a NUL in them too', () => {
    const keys = reads.exampleKeys([1, 2, 6], true);
    expect(Array.from(keys.ids)).toEqual([1, 2, 6]);
    expect(keys.externalIds).toEqual(['s-1', 'a\u0000b', '"quoted"']);
    expect(Array.from(keys.ts)).toEqual([1000, Number.NaN, 8.64e15]);
    expect(Array.from(keys.bytes)).toEqual([
      Buffer.byteLength(EXAMPLES[0]![3]!) + 7,
      0,
      Buffer.byteLength('tab\there') + '{"group":"g"}'.length,
    ]);
    expect(keys.metadata).toEqual([{ a: 1 }, null, { group: 'g' }]);
    expect(reads.exampleKeys([1, 6], false)).toMatchObject({ externalIds: ['s-1', '"quoted"'], metadata: null });
  });

  it('reads label events by example then id, for dense and sparse ids alike', () => {
    const expected = {
      exampleId: [1, 1, 4, 4, 5],
      annotatorId: [1, 2, 2, 1, 1],
      action: ['label', 'label', 'skip', 'undo', 'label'],
      labels: ['["a"]', '["b"]', null, null, '["a","b"]'],
      createdAt: [10, 12, 11, 14, 13],
    };
    const dense = reads.events(1, [1, 4, 5]);
    const sparse = reads.events(1, [1, 4, 5, 40]);
    for (const ev of [dense, sparse]) {
      expect(ev.n).toBe(5);
      expect(Array.from(ev.exampleId)).toEqual(expected.exampleId);
      expect(Array.from(ev.annotatorId)).toEqual(expected.annotatorId);
      expect(ev.action).toEqual(expected.action);
      expect(ev.labels).toEqual(expected.labels);
      expect(Array.from(ev.createdAt)).toEqual(expected.createdAt);
      expect(Array.from(ev.schemaVersionId)).toEqual([1, 1, 1, 1, 1]);
    }
    expect(reads.events(1, []).n).toBe(0);
    expect(reads.events(1, [2]).n).toBe(0);
  });
});

describe('numberList', () => {
  it('reads SQLite integer text, NULLs as NaN and anything else by Number', () => {
    expect(Array.from(numberList('1,-25,,1788220800824,2.5,1.0e+15,-0.5', 7))).toEqual([
      1,
      -25,
      Number.NaN,
      1788220800824,
      2.5,
      1e15,
      -0.5,
    ]);
    expect(Array.from(numberList('', 1))).toEqual([Number.NaN]);
    expect(Array.from(numberList('9007199254740993', 1))).toEqual([9007199254740992]);
    expect(Array.from(numberList(null, 0))).toEqual([]);
  });

  it('refuses a list that does not hold exactly the rows expected', () => {
    expect(() => numberList('1,2,3', 2)).toThrow(/expected 2 values/);
    expect(() => numberList('1,2', 3)).toThrow(/expected 3 values/);
    expect(() => numberList(null, 1)).toThrow(/expected 1 values/);
  });
});
