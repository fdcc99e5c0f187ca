import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database';
import { MIGRATIONS, migrate } from './migrate';
import { startCheckpointer } from './checkpointer';
import { Store } from './store';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flywheel-store-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A binary text project with annotators, label schema versions 1…n and one import run, written directly. */
function projectWithRun(store: Store, annotators: string[], versions: number) {
  const db = store.db;
  const p = store.projects.create({
    name: 'p',
    taskType: 'binary',
    inputKind: 'text',
    classes: ['no', 'yes'],
    featureNames: null,
  });
  for (const name of annotators) db.prepare(`INSERT INTO annotators (name, created_at) VALUES (?, 0)`).run(name);
  for (let version = 1; version <= versions; version++)
    db.prepare(
      `INSERT INTO label_schema_versions (project_id, version, labels, created_at) VALUES (?, ?, '[]', 0)`,
    ).run(p.id, version);
  const run = store.importRuns.create({
    projectId: p.id,
    sourcePath: 'x',
    sourceSize: 1,
    fingerprint: 'f',
    format: 'jsonl',
    compression: 'none',
    mapping: '{}',
    strict: false,
    ownerPid: 1,
    ownerHost: 'h',
  });
  return { p, run };
}

describe('database setup', () => {
  it('opens in WAL with synchronous FULL, foreign keys on and trusted_schema off, read back', () => {
    const db = openDatabase(path.join(dir, 'a.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('trusted_schema', { simple: true })).toBe(0);
    db.close();
  });

  it('bulk connections commit with synchronous NORMAL, the primary stays FULL', () => {
    const store = Store.open(path.join(dir, 'b.db'));
    const bulk = store.openBulkConnection();
    expect(bulk.pragma('synchronous', { simple: true })).toBe(1);
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    bulk.close();
    store.close();
  });

  it('records every migration once and creates the concept tables', () => {
    const file = path.join(dir, 'c.db');
    Store.open(file).close();
    Store.open(file).close();
    const db = new Database(file, { readonly: true });
    const applied = db.prepare('SELECT id FROM schema_migrations').pluck().all();
    expect(applied).toEqual(MIGRATIONS.map((m) => m.id));
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[];
    for (const t of [
      'projects',
      'label_schema_versions',
      'examples',
      'model_runs',
      'predictions',
      'import_runs',
      'mining_runs',
      'queue_items',
      'label_events',
      'exports',
    ]) {
      expect(tables).toContain(t);
    }
    db.close();
  });

  it('refuses a database that has a migration this build does not know', () => {
    const file = path.join(dir, 'd.db');
    Store.open(file).close();
    const db = new Database(file);
    db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (999, ?, 0)').run('0999_future');
    db.close();
    expect(() => Store.open(file)).toThrow(/migration 999 .*newer version/);
  });

  it('rolls back a failing migration whole', () => {
    const db = openDatabase(path.join(dir, 'e.db'));
    const bad = [
      ...MIGRATIONS,
      { id: 1000, name: '1000_bad', sql: 'CREATE TABLE x (a); INSERT INTO nowhere VALUES (1);' },
    ];
    expect(() => migrate(db, bad)).toThrow();
    expect(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'x'`).pluck().get()).toBe(0);
    db.close();
  });

  it('keeps label events append-only', () => {
    const store = Store.open(path.join(dir, 'f.db'));
    const db = store.db;
    const { p, run } = projectWithRun(store, ['ann'], 1);
    db.prepare(
      `INSERT INTO examples (project_id, external_id, content_hash, import_run_id) VALUES (?, 'e1', 0, ?)`,
    ).run(p.id, run.id);
    db.prepare(
      `INSERT INTO label_events (project_id, example_id, annotator_id, schema_version_id, action, labels, created_at)
       VALUES (?, 1, 1, 1, 'label', '["yes"]', 0)`,
    ).run(p.id);
    expect(() => db.prepare(`UPDATE label_events SET labels = '["no"]'`).run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM label_events').run()).toThrow(/append-only/);
    store.close();
  });

  it('counts an example as labeled for mining only while a decision under the version stands', () => {
    const store = Store.open(path.join(dir, 'm.db'));
    const db = store.db;
    const { p, run } = projectWithRun(store, ['a', 'b'], 2);
    const [v1, v2] = db.prepare('SELECT id FROM label_schema_versions ORDER BY version').pluck().all() as [
      number,
      number,
    ];
    const example = (name: string) =>
      Number(
        db
          .prepare(`INSERT INTO examples (project_id, external_id, content_hash, import_run_id) VALUES (?, ?, 0, ?)`)
          .run(p.id, name, run.id).lastInsertRowid,
      );
    const event = (exampleId: number, annotator: number, version: number, action: string) =>
      db
        .prepare(
          `INSERT INTO label_events (project_id, example_id, annotator_id, schema_version_id, action, labels, created_at)
           VALUES (?, ?, ?, ?, ?, ?, 0)`,
        )
        .run(p.id, exampleId, annotator, version, action, action === 'undo' || action === 'skip' ? null : '["yes"]');
    const labeled = example('labeled');
    const undone = example('undone');
    event(undone, 1, v1, 'label');
    event(undone, 1, v1, 'undo');
    const relabeled = example('relabeled');
    event(relabeled, 1, v1, 'label');
    event(relabeled, 1, v1, 'undo');
    event(relabeled, 1, v1, 'accept');
    const otherUndid = example('other-undid'); // b's undo has nothing of b's to take back
    event(otherUndid, 1, v1, 'label');
    event(otherUndid, 2, v1, 'undo');
    const skipUndone = example('skip-undone'); // the undo takes back the later skip, not the label
    event(skipUndone, 1, v1, 'label');
    event(skipUndone, 1, v1, 'skip');
    event(skipUndone, 1, v1, 'undo');
    const twoUndos = example('two-undos');
    event(twoUndos, 1, v1, 'label');
    event(twoUndos, 2, v1, 'label');
    event(twoUndos, 1, v1, 'undo');
    event(twoUndos, 2, v1, 'undo');
    const otherVersion = example('other-version'); // the undo takes back the later v2 label: v1's stands
    event(otherVersion, 1, v1, 'label');
    event(otherVersion, 1, v2, 'label');
    event(otherVersion, 1, v1, 'undo');
    event(labeled, 2, v1, 'reject');
    expect(store.mining.labeledUnder(p.id, v1).sort((a, b) => a - b)).toEqual([
      labeled,
      relabeled,
      otherUndid,
      skipUndone,
      otherVersion,
    ]);
    expect(store.mining.labeledUnder(p.id, v2)).toEqual([]);
    store.close();
  });

  it('leaves a self-contained database file after a clean close', () => {
    const file = path.join(dir, 'g.db');
    const store = Store.open(file);
    store.projects.create({
      name: 'p',
      taskType: 'multiclass',
      inputKind: 'text',
      classes: ['a', 'b', 'c'],
      featureNames: null,
    });
    store.close();
    expect(fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0).toBe(0);
  });
});

describe('background checkpointer', () => {
  it('moves committed pages into the database file from its own thread, outside the commits', async () => {
    const file = path.join(dir, 'c.db');
    const store = Store.open(file);
    const checkpointer = startCheckpointer(store.db, file, undefined, 100);
    try {
      expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(8000);
      store.db.exec('CREATE TABLE t (v TEXT)');
      const insert = store.db.prepare('INSERT INTO t VALUES (?)');
      for (let i = 0; i < 200; i++) insert.run(`row ${i} ${'x'.repeat(500)}`);
      // The main connection alone would leave these pages in the WAL (under 8000 pages).
      const deadline = Date.now() + 5000;
      let inFile = 0;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 150));
        const copy = path.join(dir, `copy-${Date.now()}.db`);
        fs.copyFileSync(file, copy); // the database file without its WAL
        const db = new Database(copy, { readonly: true });
        try {
          inFile = (db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 't'").pluck().get() as number)
            ? (db.prepare('SELECT count(*) FROM t').pluck().get() as number)
            : 0;
        } finally {
          db.close();
        }
        if (inFile === 200) break;
      }
      expect(inFile).toBe(200);
    } finally {
      await checkpointer.stop();
    }
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    store.close();
  });
});
