import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { ApiError } from '../../../shared/api/errors';
import { openRegularFile } from '../../io/safe-open';
import type { Compression, Format } from './parse-protocol';

const HEAD_BYTES = 64 * 1024;
/**
 * A preview reads on past the first 64 KB, four times more each time, until the head holds the
 * rows of its sample: logs of long documents (tens of KB a row) would otherwise show one row, too
 * few to see the class names. Bounded here, decompressed.
 */
const MAX_HEAD_BYTES = 16 << 20;
const FINGERPRINT_BYTES = 1 << 20;

export interface SniffResult {
  path: string;
  format: Format;
  compression: Compression;
  size: number;
  /** Start of the (decompressed) content, for previews. */
  head: Buffer;
}

function readRange(fd: number, start: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const n = fs.readSync(fd, buf, 0, length, start);
  return buf.subarray(0, n);
}

function extensionFormat(name: string): { format: Format | null; gzip: boolean } {
  const lower = name.toLowerCase();
  const gzip = lower.endsWith('.gz');
  const base = gzip ? lower.slice(0, -3) : lower;
  if (base.endsWith('.jsonl') || base.endsWith('.ndjson') || base.endsWith('.json')) return { format: 'jsonl', gzip };
  if (base.endsWith('.csv')) return { format: 'csv', gzip };
  if (base.endsWith('.parquet') || base.endsWith('.pq')) return { format: 'parquet', gzip };
  return { format: null, gzip };
}

function contentFormat(head: Buffer): Format {
  if (head.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet';
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  return head[i] === 0x7b ? 'jsonl' : 'csv';
}

/** Line breaks that end records in `buf`, counted up to `limit`: in CSV, not those inside quotes. */
function recordBreaks(buf: Buffer, limit: number, csv: boolean): number {
  let n = 0;
  if (!csv) {
    for (let i = buf.indexOf(0x0a); i >= 0 && n < limit; i = buf.indexOf(0x0a, i + 1)) n++;
    return n;
  }
  let quoted = false; // a "" escape flips it twice
  for (let i = 0; i < buf.length && n < limit; i++) {
    const c = buf[i];
    if (c === 0x22) quoted = !quoted;
    else if (c === 0x0a && !quoted) n++;
  }
  return n;
}

const tooLarge = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';

/**
 * The decompressed start of gzip data, at most `maxBytes`. When all of `raw` would give more
 * (`capped`), the output of the longest start of it that fits, found to within a sixteenth of `raw`
 * (gzip gives at most ~1,000 bytes a byte, so 1 KB of it always fits).
 */
function gunzipHead(raw: Buffer, name: string, maxBytes: number): { head: Buffer; capped: boolean } {
  const inflate = (take: number) =>
    zlib.gunzipSync(raw.subarray(0, take), { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: maxBytes });
  const corrupt = (e: unknown) => new ApiError('bad-file', `${name}: gzip data is corrupt (${(e as Error).message})`);
  try {
    return { head: inflate(raw.length), capped: false };
  } catch (e) {
    if (!tooLarge(e)) throw corrupt(e);
  }
  let fits = Math.min(raw.length, 1024);
  let over = raw.length;
  while (over - fits > Math.max(1024, raw.length >> 4)) {
    const mid = (fits + over) >>> 1;
    try {
      inflate(mid);
      fits = mid;
    } catch (e) {
      if (!tooLarge(e)) throw corrupt(e);
      over = mid;
    }
  }
  return { head: inflate(fits), capped: true };
}

/**
 * The start of the file, decompressed: 64 KB of it, or for a preview (`sampleLines`), more until it
 * holds that many records, the file ends or MAX_HEAD_BYTES is reached.
 */
function readHead(fd: number, name: string, sampleLines: number): { gzip: boolean; head: Buffer } {
  let asked = HEAD_BYTES;
  let raw = readRange(fd, 0, asked);
  const gzip = raw[0] === 0x1f && raw[1] === 0x8b;
  let capped = false;
  const decompress = () => {
    if (!gzip) return raw;
    const out = gunzipHead(raw, name, MAX_HEAD_BYTES);
    capped = out.capped;
    return out.head;
  };
  let head = decompress();
  if (head.length === 0) throw new ApiError('bad-file', `${name}: the gzip file holds no data`);
  while (
    sampleLines > 0 &&
    !capped &&
    raw.length === asked && // else the whole file is read
    asked < MAX_HEAD_BYTES &&
    head.length < MAX_HEAD_BYTES &&
    contentFormat(head) !== 'parquet' &&
    recordBreaks(head, sampleLines + 1, contentFormat(head) === 'csv') <= sampleLines
  ) {
    asked = Math.min(asked * 4, MAX_HEAD_BYTES);
    raw = readRange(fd, 0, asked);
    head = decompress();
  }
  return { gzip, head };
}

/**
 * Reads the start of a file to learn its real format; a name that lies is an error. A preview
 * asks for `sampleLines`: the head then holds that many lines when the file and the cap allow.
 */
export function sniffFile(file: string, declared?: Format, sampleLines = 0): SniffResult {
  const resolved = path.resolve(file);
  const name = path.basename(resolved);
  const { fd, size } = openRegularFile(resolved, 'prediction log');
  let gzip: boolean;
  let head: Buffer;
  try {
    if (size === 0) throw new ApiError('bad-file', `${name}: the file is empty`);
    ({ gzip, head } = readHead(fd, name, sampleLines));
  } finally {
    fs.closeSync(fd);
  }
  if (
    head
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trim().length === 0
  ) {
    throw new ApiError('bad-file', `${name}: the file holds no records (only blank lines)`);
  }
  const format = contentFormat(head);
  const ext = extensionFormat(name);
  if (format === 'parquet' && gzip)
    throw new ApiError('bad-file', `${name}: a gzip-compressed Parquet file is not supported`);
  if (ext.format && ext.format !== format) {
    throw new ApiError(
      'bad-file',
      `${name}: the name says ${ext.format.toUpperCase()} but the content is ${format.toUpperCase()}`,
    );
  }
  if (ext.gzip && !gzip)
    throw new ApiError('bad-file', `${name}: the name says gzip but the content is not gzip-compressed`);
  if (declared && declared !== format) {
    throw new ApiError(
      'bad-file',
      `${name}: asked to read it as ${declared.toUpperCase()} but the content is ${format.toUpperCase()}`,
    );
  }
  return { path: resolved, format, compression: gzip ? 'gzip' : 'none', size, head };
}

/** Identifies a file cheaply: its size and first and last MiB (the full sha256 is taken while importing). */
export function fingerprint(file: string, size: number): string {
  const { fd } = openRegularFile(file, 'prediction log');
  try {
    const hash = createHash('sha256').update(String(size));
    hash.update(readRange(fd, 0, Math.min(size, FINGERPRINT_BYTES)));
    if (size > FINGERPRINT_BYTES)
      hash.update(readRange(fd, Math.max(FINGERPRINT_BYTES, size - FINGERPRINT_BYTES), FINGERPRINT_BYTES));
    return hash.digest('hex');
  } finally {
    fs.closeSync(fd);
  }
}
