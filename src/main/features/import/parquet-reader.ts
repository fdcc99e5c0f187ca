import { isAscii } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import duckdbBindings from '@duckdb/node-bindings';
import {
  DuckDBDoubleVector,
  DuckDBFloatVector,
  DuckDBInstance,
  DuckDBIntegerVector,
  type DuckDBConnection,
  DuckDBListVector,
  DuckDBVarCharVector,
  JSDuckDBValueConverter,
  type DuckDBDataChunk,
} from '@duckdb/node-api';
import { bufferText } from './buffer-text';
import { mappedFields } from './field-access';
import type { ParseJob } from './parse-protocol';
import { FileProblem, type RecordConsumer } from './record-consumer';

/** DuckDB's JS values as the validator expects them: safe numbers, ids as strings when too big. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value.toString();
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  // A STRUCT or MAP value: its members too (a BIGINT inside one would break the metadata's JSON).
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return value;
}

/**
 * One column of a chunk as a function of the row. Strings and lists of numbers (features,
 * scores) are read straight from DuckDB's vectors: converting whole rows to JS objects through
 * the generic converter took most of a Parquet import's time. Other types go through it.
 */
function columnCells(
  chunk: DuckDBDataChunk,
  column: number,
  nullFlags: number | undefined,
  viewable: boolean,
): (row: number) => unknown {
  const vector = chunk.getColumnVector(column);
  if (vector instanceof DuckDBVarCharVector) return (r) => vector.getItem(r);
  if (vector instanceof DuckDBListVector && nullFlags !== undefined) {
    const child = vector.childVector;
    const isNull = chunk.getColumnVector(nullFlags);
    if (child instanceof DuckDBFloatVector || child instanceof DuckDBDoubleVector) {
      const floats = viewable ? floatsWithoutNulls(child) : null;
      return (r) => {
        // The entry of a NULL list is not defined: the query's IS NULL column says which are.
        if (isNull.getItem(r) === true) return null;
        const length = vector.getEntryLength(r);
        const offset = vector.getEntryOffset(r);
        // A view of DuckDB's own memory, valid until the next chunk: the row is validated and
        // copied into its batch before then.
        if (floats) return floats.subarray(offset, offset + length);
        const out = new Array<number | null>(length);
        for (let k = 0; k < length; k++) out[k] = child.getItem(offset + k);
        return out;
      };
    }
  }
  const values = chunk.convertColumnValues(column, JSDuckDBValueConverter);
  return (r) => plain(values[r]);
}

/**
 * The strings of a VARCHAR vector that has no NULLs, as bytes: row r's from `starts[r]`, its
 * length in bytes from the vector's 16-byte entry (DuckDB's C API `duckdb_string_t`: length,
 * then the string itself up to 12 bytes, else a prefix and a pointer).
 *
 * DuckDB lays a computed column's strings end to end in its memory: a run of them whose gaps are
 * under 16 bytes (alignment) is copied in one call, where the Node API's `getItem` made a native
 * call and an ArrayBuffer a row (with their collection, a fifth of the reader's time). A gap
 * that small lies in pages the strings on either side already occupy, so the copy reads no
 * memory outside DuckDB's own. The entries are a field the Node API keeps to itself: should it
 * not be what it was, each row is read through `getItem`.
 */
function stringBytes(vector: DuckDBVarCharVector, n: number): { bytes: Buffer; starts: Float64Array } {
  const starts = new Float64Array(n);
  const view = (vector as unknown as { dataView?: unknown }).dataView;
  if (!(view instanceof DataView) || view.byteLength < n * 16) {
    const rows = Array.from({ length: n }, (_, r) => Buffer.from(vector.getItem(r) ?? '', 'utf8'));
    let at = 0;
    rows.forEach((b, r) => ((starts[r] = at), (at += b.length)));
    return { bytes: Buffer.concat(rows, at), starts };
  }
  const pieces: Uint8Array[] = [];
  let total = 0; // bytes of the pieces so far
  let runFirst = -1;
  let runBase = 0;
  let runEnd = 0;
  const endRun = () => {
    if (runFirst < 0) return;
    pieces.push(
      duckdbBindings.get_data_from_pointer(
        view.buffer as ArrayBuffer,
        view.byteOffset + runFirst * 16 + 8,
        runEnd - runBase,
      ),
    );
    total += runEnd - runBase;
    runFirst = -1;
  };
  for (let r = 0; r < n; r++) {
    const at = r * 16;
    const length = view.getUint32(at, true);
    if (length <= 12) {
      endRun();
      starts[r] = total;
      pieces.push(new Uint8Array(view.buffer, view.byteOffset + at + 4, length));
      total += length;
      continue;
    }
    const pointer = view.getUint32(at + 8, true) + view.getUint32(at + 12, true) * 2 ** 32;
    const gap = pointer - runEnd;
    if (runFirst < 0 || gap < 0 || gap >= 16) {
      endRun();
      runFirst = r;
      runBase = pointer;
    }
    starts[r] = total + (pointer - runBase);
    runEnd = pointer + length;
  }
  endRun();
  const only = pieces.length === 1 ? pieces[0]! : null;
  return {
    bytes: only ? Buffer.from(only.buffer, only.byteOffset, only.length) : Buffer.concat(pieces, total),
    starts,
  };
}

/**
 * A chunk's text columns, from one string a row ('.' then their concatenation: never NULL) and
 * each one's length in bytes: each column's `cell` cuts its value out of the chunk's bytes.
 */
class PackedTexts {
  private readonly lengths: DuckDBIntegerVector[];
  /** Where each column's value starts in the chunk's bytes, for the row last given to `row` (past 2 GB: not 32-bit). */
  private readonly starts: Float64Array;
  private readonly bytes: Buffer;
  private readonly rowStarts: Float64Array;
  private readonly ascii: boolean;

  constructor(chunk: DuckDBDataChunk, column: number, lengthColumns: number[], rowCount: number) {
    const laid = stringBytes(chunk.getColumnVector(column) as DuckDBVarCharVector, rowCount);
    this.bytes = laid.bytes;
    this.rowStarts = laid.starts;
    // One check for the chunk: ASCII bytes decode as latin1, the cheapest way, to one-byte strings.
    this.ascii = isAscii(this.bytes);
    this.lengths = lengthColumns.map((c) => chunk.getColumnVector(c) as DuckDBIntegerVector);
    this.starts = new Float64Array(lengthColumns.length);
  }

  row(r: number): void {
    let at = this.rowStarts[r]! + 1; // past the leading '.'
    for (let k = 0; k < this.lengths.length; k++) {
      this.starts[k] = at;
      at += this.lengths[k]!.getItem(r) ?? 0;
    }
  }

  /** Column k's value in the row last given to `row`. */
  cell(k: number): (r: number) => string | null {
    const lengths = this.lengths[k]!;
    return (r) => {
      const n = lengths.getItem(r);
      if (n === null) return null;
      const start = this.starts[k]!;
      return bufferText(this.bytes, start, start + n, this.ascii);
    };
  }
}

/**
 * The values of a vector of floats, when none of them is NULL: fields the Node API keeps to
 * itself, read here because a value at a time (a call and a validity test each) was most of the
 * cost of a list. Should they not be what they were, values are read one at a time as before.
 */
function floatsWithoutNulls(child: DuckDBFloatVector | DuckDBDoubleVector): Float32Array | Float64Array | null {
  const own = child as unknown as { items?: unknown; validity?: { data?: unknown } };
  const items = own.items;
  if (!(items instanceof Float32Array || items instanceof Float64Array)) return null;
  if (items.length !== child.itemCount) return null;
  // No validity mask at all is DuckDB's way of saying every value is there.
  return own.validity?.data === null ? items : null;
}

/** Above this many bytes a value on average, a text column is read on its own, not packed. */
const PACKED_MAX_BYTES = 1024;

/**
 * The text columns worth packing, judged on the file's first rows: long documents are not, since
 * their concatenation would be one more copy of them in DuckDB's memory, a chunk of 2,048 rows
 * at a time (20,000 rows of 63 KB: 1.33 GB at peak read apart, 1.62 GB packed).
 */
async function shortTextColumns(con: DuckDBConnection, file: string, columns: string[]): Promise<string[]> {
  if (columns.length === 0) return [];
  const averages = columns.map((c, i) => `CAST(avg(strlen(${quoteIdent(c)})) AS DOUBLE) AS "a${i}"`).join(', ');
  let row: unknown[];
  try {
    const sample = await con.runAndReadAll(
      `SELECT ${averages} FROM (SELECT ${columns.map(quoteIdent).join(', ')} FROM read_parquet($1) LIMIT 2048)`,
      [file],
    );
    row = sample.getRows()[0] ?? [];
  } catch (e) {
    throw new FileProblem(
      `${path.basename(file)}: not a readable Parquet file (${(e as Error).message.split('\n')[0]})`,
    );
  }
  return columns.filter((_, i) => !(((row[i] as number | null) ?? 0) > PACKED_MAX_BYTES));
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Reads a Parquet file with DuckDB. Runs only inside the parser child process: a native
 * crash or an out-of-memory here ends that process, never the database writer.
 */
export async function readParquet(job: ParseJob, consumer: RecordConsumer): Promise<void> {
  const name = path.basename(job.path);
  const instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '512MB' });
  const con = await instance.connect();
  try {
    const fields = mappedFields(job.mapping);
    let available: Map<string, string>;
    try {
      const described = await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet($1)`, [job.path]);
      available = new Map(described.getRowObjectsJS().map((r) => [String(r['column_name']), String(r['column_type'])]));
    } catch (e) {
      throw new FileProblem(`${name}: not a readable Parquet file (${(e as Error).message.split('\n')[0]})`);
    }
    const missing = [...fields.keys()].filter((f) => !available.has(f));
    if (missing.length > 0) {
      throw new FileProblem(
        `${name}: the Parquet schema has no column ${missing.map((m) => `'${m}'`).join(', ')} named by the mapping`,
      );
    }
    const names = [...fields.keys()];
    // Each list column brings a flag column after the fields: whether its row is NULL.
    const lists = names.filter((n) => available.get(n)!.endsWith('[]'));
    // Feature and score vectors may come as typed views (the validator takes them; metadata would not).
    const m = job.mapping;
    const viewable = new Set(
      [m.features?.kind === 'vector' ? m.features.field : null, m.scores.kind === 'vector' ? m.scores.field : null]
        .filter((f): f is string => f !== null)
        .filter((f) => !m.metadata.includes(f)),
    );
    const flagOf = new Map(lists.map((n, i) => [n, 1 + names.length + i]));
    // Times a JS Date cannot hold (infinity, years past ±271,820) would make the converter fail the
    // whole chunk: they come as NULL, with their text in a column of their own, for the validator
    // to refuse by row and field.
    const times = names.filter((n) => /^(TIMESTAMP|DATE)/.test(available.get(n)!));
    const textOf = new Map(times.map((n, i) => [n, 1 + names.length + lists.length + i]));
    const fits = (c: string) => `isfinite(${c}) AND year(${c}) BETWEEN -271820 AND 275759`;
    // Text columns come as one string a row, with each one's length in bytes in its own place:
    // each string longer than 12 bytes costs DuckDB's Node API a native call and a buffer of its
    // own, and each string a decoder call (most of the reader's time, with the collection of
    // those buffers).
    const varchars = names.filter((n) => available.get(n) === 'VARCHAR');
    const texts = await shortTextColumns(con, job.path, varchars);
    // Long ones come alone, after a '.' too (|| keeps NULL): a byte-order mark that starts a
    // value is kept whichever way the value comes.
    const led = new Set(varchars.filter((n) => !texts.includes(n)));
    const packedAt = 1 + names.length + lists.length + times.length;
    const select = [
      ...names.map((n) => {
        const c = quoteIdent(n);
        if (texts.includes(n)) return `CAST(strlen(${c}) AS INTEGER) AS ${c}`;
        if (led.has(n)) return `('.' || ${c}) AS ${c}`;
        return textOf.has(n) ? `CASE WHEN ${fits(c)} THEN ${c} END AS ${c}` : c;
      }),
      ...lists.map((n, i) => `(${quoteIdent(n)} IS NULL) AS "__null${i}"`),
      ...times.map((n, i) => {
        const c = quoteIdent(n);
        return `CASE WHEN ${c} IS NOT NULL AND NOT coalesce(${fits(c)}, false) THEN CAST(${c} AS VARCHAR) END AS "__time${i}"`;
      }),
      // A '.' first: the decoder drops a byte-order mark that starts a string, which would shift
      // every cut after it when a row's first value starts with one.
      ...(texts.length > 0 ? [`concat('.', ${texts.map(quoteIdent).join(', ')}) AS "__texts"`] : []),
    ].join(', ');
    // Row numbers as DOUBLE (exact below 2^53): a BIGINT column would come as a BigInt a row.
    const sql = `SELECT CAST(file_row_number AS DOUBLE) AS __row, ${select} FROM read_parquet($1, file_row_number = true)
                 WHERE file_row_number >= $2`; // scan order is kept (preserve_insertion_order): no sort needed
    let result;
    try {
      result = await con.stream(sql, [job.path, job.skipRecords]);
    } catch (e) {
      throw new FileProblem(`${name}: not a readable Parquet file (${(e as Error).message.split('\n')[0]})`);
    }
    // Plain objects are faster to fill and read. A column named like an Object.prototype member
    // needs a row without a prototype: __proto__ cannot be set as data, and a NULL cell (left
    // out) of one named constructor would read back the inherited function.
    const inherited = names.some((n) => n in Object.prototype);
    const newRow: () => Record<string, unknown> = inherited ? () => Object.create(null) : () => ({});
    let rows = 0;
    let next: Promise<DuckDBDataChunk | null> | null = null;
    try {
      // The next chunk is asked for before this one is read, so DuckDB scans it on a pool thread
      // meanwhile: waiting for each scan was ~2.5 s of a 1M-row import. (Tried before batches were
      // spooled, it was slower: the reader then mostly waited on the pipe.) Not for long texts: a
      // chunk of them is ~100 MB more held at once.
      const ahead = led.size === 0;
      const fetchNext = () => {
        const fetching = result.fetchChunk();
        // Its failure, should it come while this chunk is read, is handled where it is awaited.
        fetching.catch(() => {});
        return fetching;
      };
      next = fetchNext();
      for (let chunk = await next; chunk && chunk.rowCount > 0; chunk = await next) {
        next = ahead ? fetchNext() : null;
        if (consumer.stopped) break;
        const rowNumbers = chunk.getColumnVector(0) as DuckDBDoubleVector;
        // rowCount asks DuckDB each time it is read.
        const rowCount = chunk.rowCount;
        const packed =
          texts.length > 0
            ? new PackedTexts(
                chunk,
                packedAt,
                texts.map((n) => 1 + names.indexOf(n)),
                rowCount,
              )
            : null;
        const cells = names.map((n, i) => {
          if (packed && texts.includes(n)) return packed.cell(texts.indexOf(n));
          if (led.has(n)) {
            const column = chunk.getColumnVector(i + 1) as DuckDBVarCharVector;
            return (r: number) => column.getItem(r)?.slice(1) ?? null;
          }
          const cell = columnCells(chunk, i + 1, flagOf.get(n), viewable.has(n));
          const text = textOf.get(n);
          if (text === undefined) return cell;
          const asText = chunk.getColumnVector(text);
          return (r: number) => cell(r) ?? asText.getItem(r);
        });
        for (let r = 0; r < rowCount; r++) {
          packed?.row(r);
          const raw = newRow();
          for (let f = 0; f < names.length; f++) {
            const v = cells[f]!(r);
            if (v !== null && v !== undefined) raw[names[f]!] = v;
          }
          const row = rowNumbers.getItem(r)! + 1;
          rows = row;
          if (!consumer.visit(row)) continue;
          consumer.record(raw, row, null, () =>
            JSON.stringify(raw, (_k, v: unknown) =>
              typeof v === 'bigint' ? String(v) : v instanceof Float32Array || v instanceof Float64Array ? [...v] : v,
            ),
          );
          // A chunk is 2,048 rows whatever their size: rows of long documents fill several batches.
          if (consumer.congested) await consumer.drain();
        }
        await consumer.drain();
        next ??= fetchNext();
      }
    } catch (e) {
      if (e instanceof FileProblem) throw e;
      throw new FileProblem(
        `${name}: the Parquet data is corrupt after row ${rows} (${(e as Error).message.split('\n')[0]})`,
      );
    } finally {
      // A fetch still under way when the loop stops must end before the connection closes.
      await next?.catch(() => null);
    }
    if (rows === 0 && job.skipRecords === 0 && !consumer.stopped)
      throw new FileProblem(`${name}: the Parquet file has no rows`);
    consumer.bytesRead = fs.statSync(job.path).size;
  } finally {
    con.closeSync?.();
    instance.closeSync?.();
  }
}

/** The schema's column names and the first rows, for the mapping guess. */
export async function sampleParquet(
  file: string,
  n: number,
): Promise<{ fields: string[]; rows: Record<string, unknown>[] }> {
  const name = path.basename(file);
  const instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '256MB' });
  const con = await instance.connect();
  try {
    const reader = await con.runAndReadAll(`SELECT * FROM read_parquet($1) LIMIT ${Math.max(1, Math.floor(n))}`, [
      file,
    ]);
    const fields = reader.columnNames();
    const rows = reader.getRowObjectsJS().map((r) => {
      const out: Record<string, unknown> = {};
      for (const f of fields) if (r[f] !== null && r[f] !== undefined) out[f] = plain(r[f]);
      return out;
    });
    return { fields, rows };
  } catch (e) {
    throw new FileProblem(`${name}: not a readable Parquet file (${(e as Error).message.split('\n')[0]})`);
  } finally {
    con.closeSync?.();
    instance.closeSync?.();
  }
}
