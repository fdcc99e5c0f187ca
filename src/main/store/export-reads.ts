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

/** What choosing a chunk's rows needs of its examples, a column each, in id order. */
export interface ExampleKeys {
  ids: Float64Array;
  /** Epoch milliseconds, NaN where an example has none. */
  ts: Float64Array;
  /** Bytes of the text and metadata (from the record header, not the values): sizes the export's jobs. */
  bytes: Float64Array;
  externalIds: string[];
  /** Each example's metadata, parsed; only when asked. */
  metadata: unknown[] | null;
}

/** A chunk's label events, a column each, by example then id. */
export interface EventColumns {
  n: number;
  id: Float64Array;
  exampleId: Float64Array;
  annotatorId: Float64Array;
  schemaVersionId: Float64Array;
  action: string[];
  labels: (string | null)[];
  createdAt: Float64Array;
}

export interface ExportEventRow {
  id: number;
  example_id: number;
  annotator_id: number;
  schema_version_id: number;
  action: string;
  labels: string | null;
  created_at: number;
}

/** Bytes of one column over a chunk of rows: row r's run from starts[r] to ends[r]. */
export interface ByteColumn {
  /** A plain Uint8Array, not a Buffer: a Buffer's subarray, taken for each row's copy, costs a third more. */
  bytes: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
}

/**
 * A chunk of examples as a JSONL export writes them, a column at a time: each text column's
 * bytes come in one buffer, so no string is built per row and none is encoded back to UTF-8.
 */
export interface JsonlColumns {
  ids: Float64Array;
  /** Epoch milliseconds, NaN where an example has none. */
  ts: Float64Array;
  /** The strings as JSON: string literals quoted by SQLite's json_quote (the same text as JSON.stringify), or null. */
  externalId: ByteColumn;
  text: ByteColumn;
  imagePath: ByteColumn;
  /** JSON objects, or null. */
  metadata: ByteColumn;
  /** All rows' feature values; row r's are floats[featureStart[r]] onwards, featureCount[r] of them (-1: none stored). */
  floats: Float32Array;
  featureStart: Int32Array;
  featureCount: Int32Array;
}

/** Comma-separated numbers as SQLite writes them ('' for NULL, read as NaN): exactly n of them. */
export function numberList(text: string | null, n: number): Float64Array {
  const out = new Float64Array(n);
  let at = 0;
  let start = 0;
  const len = text?.length ?? 0;
  while (text !== null && start <= len && at < n) {
    let end = start;
    let value = 0;
    let plain = true;
    const negative = text.charCodeAt(start) === 45;
    if (negative) end++;
    for (; end < len; end++) {
      const c = text.charCodeAt(end);
      if (c === 44) break;
      if (c < 48 || c > 57) plain = false;
      else value = value * 10 + (c - 48);
    }
    // Integers below 2^53 add up exactly; anything else (a REAL, an exponent) is read by Number.
    if (end === start) out[at++] = Number.NaN;
    else if (plain && end - start < 16) out[at++] = negative ? -value : value;
    else out[at++] = Number(text.slice(start, end));
    start = end + 1;
  }
  if (at !== n || (text !== null && start <= len)) throw new Error(`expected ${n} values in a column of the chunk`);
  return out;
}

/**
 * The examples with these ascending ids, for an aggregate read: a run of consecutive ids is one
 * rowid range; any other set is joined to the ids, so examples in between never add to the
 * chunk's size (an aggregate's text cannot pass 1 GB).
 */
function examplesWithIds(ids: ArrayLike<number>): string {
  return isRun(ids)
    ? 'FROM examples e WHERE e.id BETWEEN ? AND ?'
    : 'FROM json_each(?) j JOIN examples e ON e.id = j.value';
}

function idArgs(ids: ArrayLike<number>): unknown[] {
  return isRun(ids) ? [ids[0], ids[ids.length - 1]] : [JSON.stringify(Array.from(ids))];
}

function isRun(ids: ArrayLike<number>): boolean {
  return ids.length > 0 && ids[ids.length - 1]! - ids[0]! === ids.length - 1;
}

/** The ids of a chunk, checked to be in ascending order as the callers walk them. */
function ascending(ids: Float64Array): Float64Array {
  for (let i = 1; i < ids.length; i++) if (!(ids[i]! > ids[i - 1]!)) throw new Error('examples came out of id order');
  return ids;
}

function plain(bytes: Buffer | null): Uint8Array {
  return bytes ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(0);
}

/** Rows of a column joined by NUL bytes (json_quote never writes one): where each row's bytes are. */
function separated(bytes: Buffer | null, n: number): ByteColumn {
  const column = { bytes: plain(bytes), starts: new Int32Array(n), ends: new Int32Array(n) };
  let at = 0;
  for (let r = 0; r < n; r++) {
    const end = r === n - 1 ? column.bytes.length : column.bytes.indexOf(0, at);
    if (end < 0) throw new Error('a column of the chunk has fewer rows than its ids');
    column.starts[r] = at;
    column.ends[r] = end;
    at = end + 1;
  }
  return column;
}

/** Rows of a column laid end to end, with their byte lengths (NaN: no bytes, a NULL). */
function byLength(bytes: Buffer | null, lengths: Float64Array): ByteColumn {
  const n = lengths.length;
  const column = { bytes: plain(bytes), starts: new Int32Array(n), ends: new Int32Array(n) };
  let at = 0;
  for (let r = 0; r < n; r++) {
    column.starts[r] = at;
    at += Number.isNaN(lengths[r]!) ? 0 : lengths[r]!;
    column.ends[r] = at;
  }
  if (at !== column.bytes.length) throw new Error('a column of the chunk does not add up to its lengths');
  return column;
}

/** The feature blobs as float32 values, viewed in place when every row's floats are aligned. */
function featureFloats(
  blobs: ByteColumn,
  lengths: Float64Array,
): Pick<JsonlColumns, 'floats' | 'featureStart' | 'featureCount'> {
  const n = lengths.length;
  const featureStart = new Int32Array(n);
  const featureCount = new Int32Array(n);
  const { bytes } = blobs;
  const aligned = bytes.byteOffset % 4 === 0 && blobs.starts.every((s) => s % 4 === 0);
  const floats = aligned
    ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2)
    : new Float32Array(bytes.length >> 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  for (let r = 0; r < n; r++) {
    const count = Number.isNaN(lengths[r]!) ? -1 : lengths[r]! >> 2;
    featureCount[r] = count;
    featureStart[r] = aligned ? blobs.starts[r]! >> 2 : at;
    if (!aligned) for (let i = 0; i < count; i++) floats[at++] = view.getFloat32(blobs.starts[r]! + 4 * i, true);
  }
  return { floats, featureStart, featureCount };
}

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
   * The lowest and highest example ids with label events in the project (null: none), by two
   * lookups in the events' index. Which examples in between have events, their events tell.
   */
  labeledSpan(projectId: number): { first: number; last: number } | null {
    const end = (order: 'ASC' | 'DESC') =>
      prepared(this.db, `SELECT example_id FROM label_events WHERE project_id = ? ORDER BY example_id ${order} LIMIT 1`)
        .pluck()
        .get(projectId) as number | undefined;
    const first = end('ASC');
    return first === undefined ? null : { first, last: end('DESC')! };
  }

  /** How many label events the project holds: the most examples they can label. */
  labelEventCount(projectId: number): number {
    return prepared(this.db, 'SELECT count(*) FROM label_events WHERE project_id = ?').pluck().get(projectId) as number;
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

  /** The examples' columns, for CSV lines and Parquet row groups. */
  examples(ids: ArrayLike<number>): ExportExampleRow[] {
    const columns = 'e.id, e.external_id, e.ts, e.text, e.features, e.image_path, e.metadata';
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

  /**
   * The examples with these ids (ascending) as JSONL columns, in one aggregate statement: one row
   * back for the whole chunk, where a row per example cost better-sqlite3 three times as much.
   */
  jsonlColumns(ids: ArrayLike<number>): JsonlColumns {
    const row = prepared(
      this.db,
      `SELECT count(*), group_concat(e.id, ','), group_concat(ifnull(e.ts, ''), ','),
         CAST(group_concat(json_quote(e.external_id), char(0)) AS BLOB),
         CAST(group_concat(json_quote(e.text), char(0)) AS BLOB),
         CAST(group_concat(json_quote(e.image_path), char(0)) AS BLOB),
         group_concat(ifnull(octet_length(e.metadata), ''), ','), CAST(group_concat(e.metadata, '') AS BLOB),
         group_concat(ifnull(octet_length(e.features), ''), ','), CAST(group_concat(e.features, '') AS BLOB)
       ${examplesWithIds(ids)}`,
    )
      .raw()
      .get(...idArgs(ids)) as [number, ...(string | Buffer | null)[]];
    const n = row[0];
    const [idList, tsList, externalIds, texts, imagePaths, metadataLengths, metadata, featureLengths, features] =
      row.slice(1) as [string, string, Buffer, Buffer, Buffer, string, Buffer, string, Buffer];
    const lengths = numberList(featureLengths, n);
    return {
      ids: numberList(idList, n),
      ts: numberList(tsList, n),
      externalId: separated(externalIds, n),
      text: separated(texts, n),
      imagePath: separated(imagePaths, n),
      metadata: byLength(metadata, numberList(metadataLengths, n)),
      ...featureFloats(byLength(features, lengths), lengths),
    };
  }

  /**
   * What choosing rows needs, for examples with these ascending ids: no text or features, and
   * the metadata only when asked. One aggregate row for the chunk, as in `jsonlColumns`. External
   * ids come joined by NUL bytes, split in one call; should an id hold a NUL itself, they come
   * again as a JSON array. Metadata, asked for by group-aware splits, is read a row per example:
   * each may be megabytes, and a chunk's aggregate could pass SQLite's limit on a value's size.
   */
  exampleKeys(ids: ArrayLike<number>, withMetadata: boolean): ExampleKeys {
    const read = (externalIds: string) =>
      prepared(
        this.db,
        `SELECT count(*), group_concat(e.id, ','), group_concat(ifnull(e.ts, ''), ','),
           group_concat(coalesce(octet_length(e.text), 0) + coalesce(octet_length(e.metadata), 0), ','),
           ${externalIds}
         ${examplesWithIds(ids)}`,
      )
        .raw()
        .get(...idArgs(ids)) as [number, string, string, string, string];
    let row = read('group_concat(e.external_id, char(0))');
    const n = row[0];
    let externalIds = n === 0 ? [] : row[4].split('\0');
    if (externalIds.length !== n) {
      row = read('json_group_array(e.external_id)');
      externalIds = JSON.parse(row[4]) as string[];
    }
    if (externalIds.length !== n) throw new Error('a column of the chunk has fewer rows than its ids');
    const keys = {
      ids: ascending(numberList(row[1], n)),
      ts: numberList(row[2], n),
      bytes: numberList(row[3], n),
      externalIds,
      metadata: null as unknown[] | null,
    };
    if (withMetadata) {
      const rows = this.byIds(keys.ids, 'e.id, e.metadata');
      if (rows.length !== n || rows.some((r, i) => r[0] !== keys.ids[i]))
        throw new Error('the examples of the chunk changed while it was read');
      keys.metadata = rows.map((r) => (r[1] === null ? null : JSON.parse(r[1] as string)));
    }
    return keys;
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
   * Events of the examples with these ascending ids, by example then id, as columns of one
   * aggregate row. Dense ids read their whole id range: events of examples in between come too,
   * and callers look up only theirs.
   */
  events(projectId: number, ids: ArrayLike<number>): EventColumns {
    if (ids.length === 0) return this.eventColumns(projectId, 'example_id BETWEEN ? AND ?', [0, -1]);
    if (isDense(ids)) return this.eventsBetween(projectId, ids[0]!, ids[ids.length - 1]!);
    return this.eventColumns(projectId, 'example_id IN (SELECT value FROM json_each(?))', [
      JSON.stringify(Array.from(ids)),
    ]);
  }

  /** Events of the examples with ids from `first` to `last`, as `events` gives them. */
  eventsBetween(projectId: number, first: number, last: number): EventColumns {
    return this.eventColumns(projectId, 'example_id BETWEEN ? AND ?', [first, last]);
  }

  private eventColumns(projectId: number, which: string, args: unknown[]): EventColumns {
    // The aggregate takes the subquery's rows in its order (SQLite does not flatten an ordered
    // subquery into an aggregate); the order is checked below all the same.
    const row = prepared(
      this.db,
      `SELECT count(*), group_concat(id, ','), group_concat(example_id, ','), group_concat(annotator_id, ','),
         group_concat(schema_version_id, ','), group_concat(action, ','), group_concat(ifnull(labels, ''), char(0)),
         group_concat(created_at, ',')
       FROM (SELECT id, example_id, annotator_id, schema_version_id, action, labels, created_at
             FROM label_events WHERE project_id = ? AND ${which}
             ORDER BY example_id, id)`,
    )
      .raw()
      .get(projectId, ...args) as [number, ...string[]];
    const n = row[0];
    const split = (text: string | undefined, by: string) => (n === 0 ? [] : text!.split(by));
    const labels = split(row[6], '\0').map((l) => (l === '' ? null : l));
    const out: EventColumns = {
      n,
      id: numberList(row[1]!, n),
      exampleId: numberList(row[2]!, n),
      annotatorId: numberList(row[3]!, n),
      schemaVersionId: numberList(row[4]!, n),
      action: split(row[5], ','),
      labels,
      createdAt: numberList(row[7]!, n),
    };
    if (out.action.length !== n || labels.length !== n)
      throw new Error('a column of the chunk has fewer rows than its ids');
    for (let i = 1; i < n; i++) {
      const e = out.exampleId[i]! - out.exampleId[i - 1]!;
      if (e < 0 || (e === 0 && out.id[i]! <= out.id[i - 1]!)) throw new Error('label events came out of order');
    }
    return out;
  }

  predicted(modelRunId: number, ids: readonly number[]): { example_id: number; predicted: number }[] {
    return prepared(
      this.db,
      // CROSS JOIN keeps json_each outside: one primary-key lookup per id, not a scan of the run.
      `SELECT p.example_id, p.predicted FROM json_each(?) j
       CROSS JOIN predictions p ON p.model_run_id = ? AND p.example_id = j.value`,
    ).all(JSON.stringify(ids), modelRunId) as { example_id: number; predicted: number }[];
  }

  /**
   * A model run's predictions of the examples with these ids, as [example id, predicted, scores]
   * in id order; examples it did not score have none. Predictions of an import that did not
   * finish are left out, as a predictions export leaves them out.
   */
  scores(modelRunId: number, ids: ArrayLike<number>): [number, number, Buffer][] {
    if (ids.length === 0) return [];
    return prepared(
      this.db,
      `SELECT p.example_id, p.predicted, p.scores FROM json_each(?) j
       CROSS JOIN predictions p ON p.model_run_id = ? AND p.example_id = j.value
       LEFT JOIN import_runs pr ON pr.id = p.import_run_id
       WHERE p.import_run_id IS NULL OR pr.status = 'done'
       ORDER BY p.example_id`,
    )
      .raw()
      .all(JSON.stringify(Array.from(ids)), modelRunId) as [number, number, Buffer][];
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
