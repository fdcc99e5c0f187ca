import { isUtf8 } from 'node:buffer';
import path from 'node:path';
import { NOT_UTF8 } from './bad-utf8';
import { blankRunMessage, MAX_BLANK_RUN } from './bomb-limits';
import {
  CsvScanner,
  fieldIsEmpty,
  fieldNumber,
  fieldText,
  RecordTooLong,
  TooManyBlankLines,
  type CsvRecord,
} from './csv-scanner';
import { PACKED_FEATURES, PACKED_SCORES } from '../../../shared/features/import/packed-columns';
import { emptyCell, mappedFields, UNSAFE_KEYS, type FieldType } from './field-access';
import type { ParseJob } from './parse-protocol';
import { FileProblem, type RecordConsumer } from './record-consumer';
import { openSource } from './source-stream';

interface Column {
  name: string;
  index: number;
  type: FieldType;
}

/** A numeric cell (not empty); undefined when it holds only spaces. */
function numberCell(r: CsvRecord, f: number): number | undefined {
  const n = fieldNumber(r, f);
  // Number() reads a blank cell as 0: a cell of spaces is missing, not zero.
  return n === 0 && fieldText(r, f).trim() === '' ? undefined : n;
}

function cellValue(r: CsvRecord, c: Column): unknown {
  if (c.type === 'number') return numberCell(r, c.index);
  const text = fieldText(r, c.index);
  if (c.type === 'string') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * A function that builds a row object with every mapped field in one object literal: one
 * fixed shape for every row, instead of growing each object key by key. Missing cells are
 * undefined, which validation treats as absent (an empty text cell is "", not missing).
 */
function rowFactory(keys: string[]): (values: unknown[]) => Record<string, unknown> {
  const body = keys.map((k, i) => `${JSON.stringify(k)}: v[${i}]`).join(', ');
  return new Function('v', `return { ${body} };`) as (values: unknown[]) => Record<string, unknown>;
}

/**
 * Per-column numbers as one array, written into `reused` (a packed array of doubles, so no
 * number is boxed) when every cell holds one: the validator copies them out before the next
 * row. A row with a missing cell gets an array of its own, where the gap stays undefined for
 * validation to name.
 */
function numbersOf(r: CsvRecord, indexes: number[], reused: number[]): (number | undefined)[] {
  for (let i = 0; i < indexes.length; i++) {
    const f = indexes[i]!;
    const n = fieldIsEmpty(r, f) ? undefined : numberCell(r, f);
    if (n === undefined) return indexes.map((g) => (fieldIsEmpty(r, g) ? undefined : numberCell(r, g)));
    reused[i] = n;
  }
  return reused;
}

/** An array of n doubles that stays in V8's unboxed double representation. */
const doubles = (n: number): number[] => Array.from({ length: n }, () => 0.5);

function allCellsEmpty(r: CsvRecord): boolean {
  for (let f = 0; f < r.fieldCount; f++) if (!fieldIsEmpty(r, f)) return false;
  return true;
}

/** The first field of a record whose bytes are not UTF-8 (-1 when none is). */
function badUtf8Field(r: CsvRecord): number {
  for (let f = 0; f < r.fieldCount; f++) if (!isUtf8(r.buf.subarray(r.starts[f], r.ends[f]))) return f;
  return -1;
}

function recordText(r: CsvRecord): string {
  const cells: string[] = [];
  for (let f = 0; f < r.fieldCount; f++) cells.push(fieldText(r, f));
  return JSON.stringify(cells);
}

/** Streams an RFC 4180 CSV file with a header row (quoted fields may hold commas and newlines). */
export async function readCsv(job: ParseJob, consumer: RecordConsumer): Promise<void> {
  const name = path.basename(job.path);
  const wanted = mappedFields(job.mapping);
  const packing = consumer.packing;
  const packedFeatures = new Set(packing?.featureColumns ?? []);
  const packedScores = new Set(packing?.scoreColumns ?? []);
  // A field name that could reach the prototype forces null-prototype objects, built key by key.
  const safeKeys = ![...wanted.keys()].some((k) => UNSAFE_KEYS.has(k));
  const scanner = new CsvScanner(job.maxLineBytes, MAX_BLANK_RUN);
  let emptyRun = 0;
  let emptyRecords = 0;
  let columns: Column[] | null = null;
  let featureIndexes: number[] = [];
  let scoreIndexes: number[] = [];
  let featureValues: number[] = [];
  let scoreValues: number[] = [];
  let makeRow: ((values: unknown[]) => Record<string, unknown>) | null = null;
  let values: unknown[] = [];
  let headerLength = 0;
  let headerNames: string[] = [];
  let row = 0;

  const onHeader = (r: CsvRecord) => {
    if (r.problem) throw new FileProblem(`${name}: the header line is malformed (${r.problem})`);
    headerLength = r.fieldCount;
    headerNames = Array.from({ length: r.fieldCount }, (_, f) => fieldText(r, f));
    const index = new Map<string, number>();
    for (let f = 0; f < r.fieldCount; f++) {
      const h = fieldText(r, f);
      if (index.has(h)) throw new FileProblem(`${name}: the header names column '${h}' twice`);
      index.set(h, f);
    }
    const missing = [...wanted.keys()].filter((f) => !index.has(f));
    if (missing.length > 0) {
      throw new FileProblem(
        `${name}: the header has no column ${missing.map((m) => `'${m}'`).join(', ')} named by the mapping`,
      );
    }
    columns = [...wanted]
      .filter(([f]) => !packedFeatures.has(f) && !packedScores.has(f))
      .map(([f, type]) => ({ name: f, index: index.get(f)!, type }));
    featureIndexes = (packing?.featureColumns ?? []).map((f) => index.get(f)!);
    scoreIndexes = (packing?.scoreColumns ?? []).map((f) => index.get(f)!);
    featureValues = doubles(featureIndexes.length);
    scoreValues = doubles(scoreIndexes.length);
    const keys = columns.map((c) => c.name);
    if (featureIndexes.length > 0) keys.push(PACKED_FEATURES);
    if (scoreIndexes.length > 0) keys.push(PACKED_SCORES);
    if (safeKeys) makeRow = rowFactory(keys);
    values = new Array<unknown>(keys.length);
  };

  const onRecord = (r: CsvRecord) => {
    if (columns === null) {
      onHeader(r);
      return;
    }
    row++;
    // A record of empty cells only (",,,", as spreadsheets write) holds no data: a blank line.
    if (r.problem === null && allCellsEmpty(r)) {
      if (++emptyRun > MAX_BLANK_RUN) throw new FileProblem(blankRunMessage(name, r.line - emptyRun + 1));
      emptyRecords++;
      return;
    }
    emptyRun = 0;
    if (row <= job.skipRecords || !consumer.visit(row)) return;
    if (r.problem) {
      const field = r.problem === NOT_UTF8 ? (headerNames[badUtf8Field(r)] ?? '(row)') : '(row)';
      consumer.reject(row, r.line, field, r.problem, recordText(r));
      return;
    }
    if (r.fieldCount !== headerLength) {
      consumer.reject(
        row,
        r.line,
        '(row)',
        `row has ${r.fieldCount} fields, the header has ${headerLength}`,
        recordText(r),
      );
      return;
    }
    let k = 0;
    for (; k < columns.length; k++) {
      const c = columns[k]!;
      values[k] = fieldIsEmpty(r, c.index) ? emptyCell(c.type) : cellValue(r, c);
    }
    if (featureIndexes.length > 0) values[k++] = numbersOf(r, featureIndexes, featureValues);
    if (scoreIndexes.length > 0) values[k++] = numbersOf(r, scoreIndexes, scoreValues);
    let raw: Record<string, unknown>;
    if (makeRow) raw = makeRow(values);
    else {
      raw = Object.create(null) as Record<string, unknown>;
      columns.forEach((c, i) => {
        if (values[i] !== undefined) raw[c.name] = values[i];
      });
      if (featureIndexes.length > 0) raw[PACKED_FEATURES] = values[columns.length];
      if (scoreIndexes.length > 0) raw[PACKED_SCORES] = values[k - 1];
    }
    consumer.record(raw, row, r.line, () => recordText(r));
  };

  try {
    for await (const chunk of openSource(job, consumer)) {
      if (consumer.stopped) break;
      scanner.push(chunk, onRecord);
      await consumer.drain();
    }
    if (!consumer.stopped) scanner.end(onRecord);
  } catch (e) {
    if (e instanceof TooManyBlankLines) throw new FileProblem(blankRunMessage(name, e.firstLine));
    if (e instanceof RecordTooLong) {
      throw new FileProblem(
        `${name}: the record at line ${e.line} runs past the ${job.maxLineBytes}-byte cap (an unclosed quote?)`,
      );
    }
    throw e;
  }
  if (consumer.stopped) return;
  if (columns === null) throw new FileProblem(`${name}: the file is empty`);
  if (row === emptyRecords) throw new FileProblem(`${name}: the CSV has a header but no data rows`);
}
