import type { ByteColumn } from '../../store/export-reads';
import { decimalParts, shortDecimal } from './float-text';

/** Decimal digits of an integer from 1 to 2^31. */
function digitCount(m: number): number {
  if (m < 10_000) return m < 10 ? 1 : m < 100 ? 2 : m < 1000 ? 3 : 4;
  if (m < 100_000_000) return m < 100_000 ? 5 : m < 1_000_000 ? 6 : m < 10_000_000 ? 7 : 8;
  return m < 1_000_000_000 ? 9 : 10;
}

/**
 * Bytes being built in place: JSONL lines, Parquet pages. Building lines as strings and encoding
 * them afterwards cost an export more than the formatting itself: long concatenated strings are
 * flattened before they can be encoded, and their pieces are garbage.
 */
export class ByteBuilder {
  private buf: Buffer;
  length = 0;

  constructor(capacity = 1 << 16) {
    this.buf = Buffer.allocUnsafeSlow(capacity);
  }

  private room(n: number): Buffer {
    if (this.length + n > this.buf.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.length + n));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    return this.buf;
  }

  /** A string known to be ASCII, such as a number or a timestamp. */
  ascii(s: string): void {
    const b = this.room(s.length);
    let at = this.length;
    for (let i = 0; i < s.length; i++) b[at++] = s.charCodeAt(i);
    this.length = at;
  }

  /** Any string, encoded as UTF-8 (a lone surrogate becomes U+FFFD). */
  utf8(s: string): void {
    const b = this.room(s.length * 3);
    this.length += b.write(s, this.length, 'utf8');
  }

  bytes(src: Uint8Array): void {
    const b = this.room(src.length);
    if (src.length > 12) b.set(src, this.length);
    else for (let i = 0, at = this.length; i < src.length; i++) b[at++] = src[i]!;
    this.length += src.length;
  }

  /** Row r of a column read as bytes. */
  column(c: ByteColumn, r: number): void {
    const start = c.starts[r]!;
    const n = c.ends[r]! - start;
    const b = this.room(n);
    if (n > 16) b.set(c.bytes.subarray(start, start + n), this.length);
    else for (let i = 0, at = this.length; i < n; i++) b[at++] = c.bytes[start + i]!;
    this.length += n;
  }

  /** f32(v) from float-text, written digit by digit. */
  f32(v: number): void {
    if (!Number.isFinite(v)) return this.ascii('null');
    if (v === 0 || (Number.isInteger(v) && Math.abs(v) < 1e7)) return this.ascii(String(v));
    if (!shortDecimal(v)) return this.ascii(String(+v.toPrecision(9)));
    const { m, k } = decimalParts;
    const n = digitCount(m);
    // Sign, "0." and zeros, at most 9 digits, a point, or zeros after them: 32 bytes cover all.
    const b = this.room(32);
    let at = this.length;
    if (v < 0) b[at++] = 45; // -
    if (k > 0 && n <= k) {
      b[at++] = 48; // 0
      b[at++] = 46; // .
      for (let i = n; i < k; i++) b[at++] = 48;
    }
    // Digits right to left, with the point before the first `point` of them when there is one.
    const point = k > 0 && n > k ? n - k : -1;
    const end = at + n + (point > 0 ? 1 : 0);
    let rest = m;
    let i = end - 1;
    for (let d = n - 1; d >= 0; d--) {
      const q = (rest / 10) | 0;
      b[i--] = 48 + rest - q * 10;
      rest = q;
      if (d === point) b[i--] = 46; // .
    }
    at = end;
    for (let i = k; i < 0; i++) b[at++] = 48;
    this.length = at;
  }

  /** A string as Parquet's PLAIN byte array: its UTF-8 length (4 bytes, little-endian), then the bytes. */
  utf8WithLength(s: string): void {
    const b = this.room(s.length * 3 + 4);
    const start = this.length;
    const n = b.write(s, start + 4, 'utf8');
    b.writeUInt32LE(n, start);
    this.length = start + 4 + n;
  }

  /** An integer (below 2^53 in size) as 8 bytes, little-endian two's complement. */
  i64(n: number): void {
    const b = this.room(8);
    b.writeUInt32LE(n >>> 0, this.length);
    b.writeInt32LE(Math.floor(n / 2 ** 32), this.length + 4);
    this.length += 8;
  }

  f32le(v: number): void {
    this.room(4).writeFloatLE(v, this.length);
    this.length += 4;
  }

  u32(n: number): void {
    this.room(4).writeUInt32LE(n, this.length);
    this.length += 4;
  }

  /** The bytes so far, as a view of their own buffer (for transfer to another thread). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
