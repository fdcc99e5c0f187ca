import fs from 'node:fs';
import { prepared, type Db } from './database';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

let lastWalSize = 0;
/** Past this, a growing WAL makes an export pause between chunks. */
const WAL_PAUSE_BYTES = 16 * 2 ** 20;

function walSize(wal: string): number | null {
  try {
    return fs.statSync(wal).size;
  } catch {
    return null;
  }
}

/**
 * Called between chunks: while the WAL is well past its usual size and still growing, stop reading
 * for a moment. A checkpoint can only let the WAL start over when no reader is inside it, and an
 * export that reads back to back never leaves that moment on its own while annotators keep
 * committing. A large WAL that is not growing has no writer behind it: nothing to wait for.
 */
export function yieldToCheckpoints(dbPath: string, maxWaitMs = 2000): void {
  const wal = `${dbPath}-wal`;
  const before = lastWalSize;
  let size = walSize(wal);
  lastWalSize = size ?? 0;
  if (size === null || size <= WAL_PAUSE_BYTES || size <= before) return;
  for (let waited = 0; waited < maxWaitMs; waited += 25) {
    Atomics.wait(sleeper, 0, 0, 25);
    size = walSize(wal);
    if (size === null || size < lastWalSize || size <= WAL_PAUSE_BYTES) break;
  }
  lastWalSize = size ?? 0;
}

export interface ExportExampleRow {
  id: number;
  external_id: string;
  ts: number | null;
  text: string | null;
  features: Buffer | null;
  image_path: string | null;
  metadata: string | null;
}

export type ExportExampleKey = Pick<ExportExampleRow, 'id' | 'external_id' | 'ts' | 'metadata'> & {
  /** Bytes of the text and metadata (from the record header, not the values): sizes the export's jobs. */
  bytes: number;
};

export interface ExportEventRow {
  id: number;
  example_id: number;
  annotator_id: number;
  schema_version_id: number;
  action: string;
  labels: string | null;
  created_at: number;
}

const EVENT_PAGE = 200_000;

/** Ascending ids that fill at least a quarter of the id range they span. */
function isDense(ids: ArrayLike<number>): boolean {
  return ids[ids.length - 1]! - ids[0]! < 4 * ids.length;
}

/**
 * Reads behind an export, in short statements over id chunks: each one is its own read
 * transaction, so checkpoints keep up while annotators label during a long export.
 */
export class ExportReadQueries {
  constructor(private readonly db: Db) {}

  /**
   * Examples with at least one label event, ascending. Events under other schema versions count
   * too: deriving the labels drops those examples, and the index alone answers this (a filter on
   * the version would look up every event's row). Read in pages, so a project with many events
   * per example never holds them all.
   */
  labeledExamples(projectId: number): Int32Array {
    const page = prepared(
      this.db,
      'SELECT example_id FROM label_events WHERE project_id = ? AND example_id > ? ORDER BY example_id LIMIT ?',
    ).pluck();
    let out = new Int32Array(1 << 16);
    let n = 0;
    for (let after = -1; ;) {
      const ids = page.all(projectId, after, EVENT_PAGE) as number[];
      for (const id of ids) {
        if (n > 0 && out[n - 1] === id) continue;
        if (n === out.length) {
          const grown = new Int32Array(out.length * 2);
          grown.set(out);
          out = grown;
        }
        out[n++] = id;
      }
      if (ids.length < EVENT_PAGE) return out.slice(0, n);
      after = ids[ids.length - 1]!; // the rest of this example's events add nothing
    }
  }

  /** Every example an import finished bringing. */
  visibleExamples(projectId: number): number[] {
    return prepared(
      this.db,
      `SELECT e.id FROM examples e JOIN import_runs r ON r.id = e.import_run_id
       WHERE e.project_id = ? AND r.status = 'done' ORDER BY e.id`,
    )
      .pluck()
      .all(projectId) as number[];
  }

  /**
   * The examples' columns. With `jsonQuoted`, the strings (external id, text, image path) come
   * as JSON string literals or null, quoted by SQLite's json_quote: the same text as
   * JSON.stringify, made in C, for JSONL lines.
   */
  examples(ids: ArrayLike<number>, jsonQuoted = false): ExportExampleRow[] {
    const q = (column: string) => (jsonQuoted ? `json_quote(${column})` : column);
    const columns = `e.id, ${q('e.external_id')}, e.ts, ${q('e.text')}, e.features, ${q('e.image_path')}, e.metadata`;
    return this.byIds(ids, columns).map((r) => ({
      id: r[0] as number,
      external_id: r[1] as string,
      ts: r[2] as number | null,
      text: r[3] as string | null,
      features: r[4] as Buffer | null,
      image_path: r[5] as string | null,
      metadata: r[6] as string | null,
    }));
  }

  /** What choosing rows needs: no text or features, and the metadata only when asked. */
  exampleKeys(ids: ArrayLike<number>, withMetadata: boolean): ExportExampleKey[] {
    const columns = `e.id, e.external_id, e.ts,
      coalesce(octet_length(e.text), 0) + coalesce(octet_length(e.metadata), 0)${withMetadata ? ', e.metadata' : ''}`;
    return this.byIds(ids, columns).map((r) => ({
      id: r[0] as number,
      external_id: r[1] as string,
      ts: r[2] as number | null,
      bytes: r[3] as number,
      metadata: withMetadata ? (r[4] as string | null) : null,
    }));
  }

  /**
   * Examples by ascending ids, in id order, as arrays of the columns (id first): better-sqlite3
   * builds arrays about twice as fast as objects. Dense ids are read as one rowid range and the
   * rows between them dropped: several times faster than a lookup per id, which sparse ids get.
   */
  private byIds(ids: ArrayLike<number>, columns: string): unknown[][] {
    if (ids.length === 0) return [];
    if (!isDense(ids)) {
      return prepared(this.db, `SELECT ${columns} FROM json_each(?) j JOIN examples e ON e.id = j.value ORDER BY e.id`)
        .raw()
        .all(JSON.stringify(Array.from(ids))) as unknown[][];
    }
    const rows = prepared(this.db, `SELECT ${columns} FROM examples e WHERE e.id BETWEEN ? AND ? ORDER BY e.id`)
      .raw()
      .all(ids[0], ids[ids.length - 1]) as unknown[][];
    const kept: unknown[][] = [];
    let i = 0;
    for (const row of rows) {
      const id = row[0] as number;
      while (i < ids.length && ids[i]! < id) i++;
      if (i < ids.length && ids[i] === id) kept.push(row);
    }
    return kept;
  }

  /**
   * Events of the examples with these ascending ids, by example then id. Dense ids read their
   * whole id range: events of examples in between come too, and callers look up only theirs.
   */
  events(projectId: number, ids: ArrayLike<number>): ExportEventRow[] {
    if (ids.length === 0) return [];
    const columns = 'id, example_id, annotator_id, schema_version_id, action, labels, created_at';
    const rows = isDense(ids)
      ? prepared(
          this.db,
          `SELECT ${columns} FROM label_events
           WHERE project_id = ? AND example_id BETWEEN ? AND ? ORDER BY example_id, id`,
        )
          .raw()
          .all(projectId, ids[0], ids[ids.length - 1])
      : prepared(
          this.db,
          `SELECT ${columns} FROM label_events
           WHERE project_id = ? AND example_id IN (SELECT value FROM json_each(?)) ORDER BY example_id, id`,
        )
          .raw()
          .all(projectId, JSON.stringify(Array.from(ids)));
    return (rows as unknown[][]).map((r) => ({
      id: r[0] as number,
      example_id: r[1] as number,
      annotator_id: r[2] as number,
      schema_version_id: r[3] as number,
      action: r[4] as string,
      labels: r[5] as string | null,
      created_at: r[6] as number,
    }));
  }

  predicted(modelRunId: number, ids: readonly number[]): { example_id: number; predicted: number }[] {
    return prepared(
      this.db,
      // CROSS JOIN keeps json_each outside: one primary-key lookup per id, not a scan of the run.
      `SELECT p.example_id, p.predicted FROM json_each(?) j
       CROSS JOIN predictions p ON p.model_run_id = ? AND p.example_id = j.value`,
    ).all(JSON.stringify(ids), modelRunId) as { example_id: number; predicted: number }[];
  }

  annotatorIds(names: readonly string[]): Map<string, number> {
    const find = prepared(this.db, 'SELECT id FROM annotators WHERE name = ?').pluck();
    const out = new Map<string, number>();
    for (const name of names) {
      const id = find.get(name) as number | undefined;
      if (id !== undefined) out.set(name, id);
    }
    return out;
  }

  /** Import files behind the examples of a project, with their hashes (for the manifest). */
  importFiles(projectId: number): { path: string; sha256: string | null; rows: number }[] {
    return prepared(
      this.db,
      `SELECT source_path AS path, sha256, rows_imported AS rows FROM import_runs WHERE project_id = ? AND status = 'done' ORDER BY id`,
    ).all(projectId) as { path: string; sha256: string | null; rows: number }[];
  }
}
