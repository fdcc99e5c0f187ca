import { isAscii, isUtf8 } from 'node:buffer';
import { NOT_UTF8 } from './bad-utf8';
import { bufferText } from './buffer-text';

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;

/** Exact powers of ten: a decimal with at most 15 digits divided by one is correctly rounded. */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** One CSV record inside a buffer: where each field starts and ends, nothing decoded yet. */
export interface CsvRecord {
  buf: Buffer;
  /** Line of the file where the record starts (1-based). */
  line: number;
  fieldCount: number;
  starts: Int32Array;
  ends: Int32Array;
  /** 1 when the field was quoted and holds "" escapes. */
  escaped: Uint8Array;
  ascii: boolean;
  /** Set when the record is malformed (a quote in the wrong place, bad UTF-8). */
  problem: string | null;
}

/**
 * A byte-level RFC 4180 reader: quoted fields with "" escapes, commas and newlines inside
 * quotes, CRLF or LF, a BOM at the start. Fields are decoded only when asked for, numbers
 * straight from the bytes: most of a log's cells never become strings.
 */
export class CsvScanner {
  private carry: Buffer | null = null;
  private line = 1;
  private first = true;
  private capacity = 64;
  /** The buffer being scanned holds only ASCII bytes. */
  private asciiChunk = false;
  private readonly record: CsvRecord = {
    buf: Buffer.alloc(0),
    line: 0,
    fieldCount: 0,
    starts: new Int32Array(64),
    ends: new Int32Array(64),
    escaped: new Uint8Array(64),
    ascii: true,
    problem: null,
  };

  /** Blank lines since the last record. */
  private blankRun = 0;

  /** `maxBlankRun`: consecutive blank lines past which the scan stops with TooManyBlankLines. */
  constructor(
    private readonly maxRecordBytes: number,
    private readonly maxBlankRun = Infinity,
  ) {}

  /** Bytes held for a record not finished yet. */
  get pendingBytes(): number {
    return this.carry?.length ?? 0;
  }

  /** Calls `onRecord` for every complete record in `chunk` (plus what earlier chunks left). */
  push(chunk: Buffer, onRecord: (r: CsvRecord) => void): void {
    let buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = null;
    if (this.first) {
      const bom = [0xef, 0xbb, 0xbf];
      if (buf.length < 3 && [...buf].every((b, i) => b === bom[i])) {
        this.carry = Buffer.from(buf); // the BOM may still be arriving
        return;
      }
      this.first = false;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    let pos = 0;
    this.asciiChunk = isAscii(buf);
    while (pos < buf.length) {
      const end = this.scan(buf, pos, false);
      if (end < 0) break;
      this.emit(buf, pos, end, onRecord);
      pos = end;
    }
    if (pos < buf.length) {
      if (buf.length - pos > this.maxRecordBytes) throw new RecordTooLong(this.line);
      this.carry = Buffer.from(buf.subarray(pos));
    }
  }

  /** The last record when the file does not end with a newline. */
  end(onRecord: (r: CsvRecord) => void): void {
    const buf = this.carry;
    this.carry = null;
    if (!buf || buf.length === 0) return;
    const end = this.scan(buf, 0, true);
    this.asciiChunk = false;
    this.emit(buf, 0, end, onRecord);
  }

  private emit(buf: Buffer, start: number, end: number, onRecord: (r: CsvRecord) => void): void {
    const r = this.record;
    const newlines = countNewlines(buf, start, end);
    // A record that is only a line break is a blank line: counted, not reported.
    const blank = r.fieldCount === 1 && r.ends[0] === r.starts[0] && r.problem === null;
    if (blank) {
      if (++this.blankRun > this.maxBlankRun) throw new TooManyBlankLines(this.line - this.blankRun + 1);
    } else {
      this.blankRun = 0;
      r.buf = buf;
      r.line = this.line;
      // Most chunks are ASCII throughout: one check for the chunk instead of one a record.
      r.ascii = this.asciiChunk || isAscii(buf.subarray(start, end));
      if (!r.ascii && r.problem === null && !isUtf8(buf.subarray(start, end))) r.problem = NOT_UTF8;
      onRecord(r);
    }
    this.line += newlines;
  }

  /**
   * Finds the fields of the record starting at `pos`; returns the offset after its line
   * break, or -1 when the buffer ends first (and `atEof` is false).
   */
  private scan(buf: Buffer, pos: number, atEof: boolean): number {
    const r = this.record;
    r.fieldCount = 0;
    r.problem = null;
    let i = pos;
    const n = buf.length;
    for (;;) {
      if (r.fieldCount === this.capacity) this.grow();
      const f = r.fieldCount++;
      r.escaped[f] = 0;
      if (i < n && buf[i] === QUOTE) {
        const start = i + 1;
        let j = start;
        for (;;) {
          const q = buf.indexOf(QUOTE, j);
          if (q < 0 || q + 1 >= n) {
            if (!atEof) return -1;
            if (q < 0) {
              r.problem = 'unclosed quote';
              r.starts[f] = start;
              r.ends[f] = n;
              return n;
            }
            j = q; // closing quote is the last byte of the file
            break;
          }
          if (buf[q + 1] === QUOTE) {
            r.escaped[f] = 1;
            j = q + 2;
            continue;
          }
          j = q;
          break;
        }
        r.starts[f] = start;
        r.ends[f] = j;
        i = j + 1;
        if (i >= n) return atEof ? n : -1;
        const c = buf[i];
        if (c === COMMA) {
          i++;
          continue;
        }
        if (c === LF) return i + 1;
        if (c === CR && i + 1 < n && buf[i + 1] === LF) return i + 2;
        if (c === CR && i + 1 >= n && !atEof) return -1;
        r.problem = 'a quoted field must end at a comma or the end of the line';
        const nl = buf.indexOf(LF, i);
        if (nl < 0) return atEof ? n : -1;
        return nl + 1;
      }
      let j = i;
      while (j < n) {
        const c = buf[j];
        if (c === COMMA || c === LF) break;
        j++;
      }
      if (j >= n && !atEof) return -1;
      r.starts[f] = i;
      const atLf = j < n && buf[j] === LF;
      r.ends[f] = atLf && j > i && buf[j - 1] === CR ? j - 1 : j;
      if (j >= n) return n;
      if (atLf) return j + 1;
      i = j + 1;
    }
  }

  private grow(): void {
    const r = this.record;
    this.capacity *= 2;
    const starts = new Int32Array(this.capacity);
    const ends = new Int32Array(this.capacity);
    const escaped = new Uint8Array(this.capacity);
    starts.set(r.starts);
    ends.set(r.ends);
    escaped.set(r.escaped);
    r.starts = starts;
    r.ends = ends;
    r.escaped = escaped;
  }
}

export class RecordTooLong extends Error {
  constructor(readonly line: number) {
    super(`record at line ${line} runs past the size cap`);
  }
}

export class TooManyBlankLines extends Error {
  constructor(readonly firstLine: number) {
    super(`too many blank lines in a row from line ${firstLine}`);
  }
}

function countNewlines(buf: Buffer, start: number, end: number): number {
  let count = 0;
  let i = buf.indexOf(LF, start);
  while (i >= 0 && i < end) {
    count++;
    i = buf.indexOf(LF, i + 1);
  }
  return count;
}

export function fieldText(r: CsvRecord, f: number): string {
  const s = bufferText(r.buf, r.starts[f]!, r.ends[f]!, r.ascii);
  return r.escaped[f] ? s.replace(/""/g, '"') : s;
}

export function fieldIsEmpty(r: CsvRecord, f: number): boolean {
  return r.ends[f] === r.starts[f];
}

/**
 * The number in a field, read from its bytes when it is a plain decimal (-12.345678);
 * anything else goes through Number(), so the result is always what Number() gives.
 */
export function fieldNumber(r: CsvRecord, f: number): number {
  const buf = r.buf;
  let i = r.starts[f]!;
  const end = r.ends[f]!;
  let negative = false;
  if (buf[i] === MINUS) {
    negative = true;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let seenDot = false;
  let ok = i < end;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c === DOT && !seenDot) {
      seenDot = true;
      continue;
    }
    const d = c - ZERO;
    if (d < 0 || d > 9) {
      ok = false;
      break;
    }
    mantissa = mantissa * 10 + d;
    digits++;
    if (seenDot) scale++;
  }
  if (ok && digits > 0 && digits <= 15) {
    const value = scale === 0 ? mantissa : mantissa / POW10[scale]!;
    return negative ? -value : value;
  }
  return Number(fieldText(r, f));
}
