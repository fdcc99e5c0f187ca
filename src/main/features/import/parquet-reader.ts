import fs from 'node:fs';
import path from 'node:path';
import {
  DuckDBDoubleVector,
  DuckDBFloatVector,
  DuckDBInstance,
  DuckDBListVector,
  DuckDBVarCharVector,
  JSDuckDBValueConverter,
  type DuckDBDataChunk,
} from '@duckdb/node-api';
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
function columnCells(chunk: DuckDBDataChunk, column: number, nullFlags: number | undefined): (row: number) => unknown {
  const vector = chunk.getColumnVector(column);
  if (vector instanceof DuckDBVarCharVector) return (r) => vector.getItem(r);
  if (vector instanceof DuckDBListVector && nullFlags !== undefined) {
    const child = vector.childVector;
    const isNull = chunk.getColumnVector(nullFlags);
    if (child instanceof DuckDBFloatVector || child instanceof DuckDBDoubleVector) {
      return (r) => {
        // The entry of a NULL list is not defined: the query's IS NULL column says which are.
        if (isNull.getItem(r) === true) return null;
        const length = vector.getEntryLength(r);
        const offset = vector.getEntryOffset(r);
        const out = new Array<number | null>(length);
        for (let k = 0; k < length; k++) out[k] = child.getItem(offset + k);
        return out;
      };
    }
  }
  const values = chunk.convertColumnValues(column, JSDuckDBValueConverter);
  return (r) => plain(values[r]);
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
    const flagOf = new Map(lists.map((n, i) => [n, 1 + names.length + i]));
    // Times a JS Date cannot hold (infinity, years past ±271,820) would make the converter fail the
    // whole chunk: they come as NULL, with their text in a column of their own, for the validator
    // to refuse by row and field.
    const times = names.filter((n) => /^(TIMESTAMP|DATE)/.test(available.get(n)!));
    const textOf = new Map(times.map((n, i) => [n, 1 + names.length + lists.length + i]));
    const fits = (c: string) => `isfinite(${c}) AND year(${c}) BETWEEN -271820 AND 275759`;
    const select = [
      ...names.map((n) => {
        const c = quoteIdent(n);
        return textOf.has(n) ? `CASE WHEN ${fits(c)} THEN ${c} END AS ${c}` : c;
      }),
      ...lists.map((n, i) => `(${quoteIdent(n)} IS NULL) AS "__null${i}"`),
      ...times.map((n, i) => {
        const c = quoteIdent(n);
        return `CASE WHEN ${c} IS NOT NULL AND NOT coalesce(${fits(c)}, false) THEN CAST(${c} AS VARCHAR) END AS "__time${i}"`;
      }),
    ].join(', ');
    const sql = `SELECT file_row_number AS __row, ${select} FROM read_parquet($1, file_row_number = true)
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
    try {
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        if (consumer.stopped) break;
        const rowNumbers = chunk.convertColumnValues(0, JSDuckDBValueConverter);
        const cells = names.map((n, i) => {
          const cell = columnCells(chunk, i + 1, flagOf.get(n));
          const text = textOf.get(n);
          if (text === undefined) return cell;
          const texts = chunk.getColumnVector(text);
          return (r: number) => cell(r) ?? texts.getItem(r);
        });
        for (let r = 0; r < chunk.rowCount; r++) {
          const raw = newRow();
          for (let f = 0; f < names.length; f++) {
            const v = cells[f]!(r);
            if (v !== null && v !== undefined) raw[names[f]!] = v;
          }
          const row = Number(rowNumbers[r] as bigint) + 1;
          rows = row;
          if (!consumer.visit(row)) continue;
          consumer.record(raw, row, null, () =>
            JSON.stringify(raw, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
          );
          // A chunk is 2,048 rows whatever their size: rows of long documents fill several batches.
          if (consumer.congested) await consumer.drain();
        }
        await consumer.drain();
      }
    } catch (e) {
      if (e instanceof FileProblem) throw e;
      throw new FileProblem(
        `${name}: the Parquet data is corrupt after row ${rows} (${(e as Error).message.split('\n')[0]})`,
      );
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
