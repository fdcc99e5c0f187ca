import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { ApiError } from '../../../shared/api/errors';
import type { Compression, Format } from './parse-protocol';

const HEAD_BYTES = 64 * 1024;
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

/** Reads the start of a file to learn its real format; a name that lies is an error. */
export function sniffFile(file: string, declared?: Format): SniffResult {
  const resolved = path.resolve(file);
  const name = path.basename(resolved);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(resolved);
  } catch {
    throw new ApiError('not-found', `${file}: no such file`);
  }
  if (!stat.isFile()) throw new ApiError('bad-file', `${file}: not a regular file`);
  if (stat.size === 0) throw new ApiError('bad-file', `${name}: the file is empty`);
  const fd = fs.openSync(resolved, 'r');
  let raw: Buffer;
  try {
    raw = readRange(fd, 0, HEAD_BYTES);
  } finally {
    fs.closeSync(fd);
  }
  const gzip = raw[0] === 0x1f && raw[1] === 0x8b;
  let head = raw;
  if (gzip) {
    try {
      head = zlib.gunzipSync(raw, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch (e) {
      throw new ApiError('bad-file', `${name}: gzip data is corrupt (${(e as Error).message})`);
    }
    if (head.length === 0) throw new ApiError('bad-file', `${name}: the gzip file holds no data`);
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
  return { path: resolved, format, compression: gzip ? 'gzip' : 'none', size: stat.size, head };
}

/** Identifies a file cheaply: its size and first and last MiB (the full sha256 is taken while importing). */
export function fingerprint(file: string, size: number): string {
  const fd = fs.openSync(file, 'r');
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
