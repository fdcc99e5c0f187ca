import type { ByteColumn } from '../../store/export-reads';
import { decimalParts, shortDecimal } from './float-text';

/** Bytes of the longest f32 text: "-0.0000000" and 9 digits, or String(+v.toPrecision(9)). */
export const MAX_F32_BYTES = 24;

/** "00" to "99" as ASCII digit pairs. */
const PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i & 1 ? (i >> 1) % 10 : Math.floor(i / 20)));

function writeAscii(b: Uint8Array, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[at++] = s.charCodeAt(i);
  return at;
}

/**
 * f32(v) from float-text, written into b at `at` (room for MAX_F32_BYTES); returns where it ends.
 * The hot loop of feature exports: digits go right to left two at a time, the point between them.
 */
function writeF32(b: Uint8Array, at: number, v: number): number {
  if (!Number.isFinite(v)) return writeAscii(b, at, 'null');
  if (v === 0 || (Number.isInteger(v) && Math.abs(v) < 1e7)) return writeAscii(b, at, String(v));
  if (!shortDecimal(v)) return writeAscii(b, at, String(+v.toPrecision(9)));
  const { m, k } = decimalParts;
  const n = digitCount(m);
  b[at] = 45; // '-': the first digit writes over it when v is positive (no branch on a random sign)
  at += +(v < 0);
  // Digits before the point ("0" when there are none), the point and k digits after it, or zeros after them.
  const whole = k <= 0 ? n - k : n > k ? n - k : 1;
  let i = at + whole + (k > 0 ? 1 + k : 0);
  const end = i;
  let rest = m;
  if (k > 0) {
    // k digits after the point; past m's own digits they are the zeros after "0.".
    let f = k;
    for (; f >= 2; f -= 2) {
      const q = (rest / 100) | 0;
      const p = (rest - q * 100) << 1;
      b[--i] = PAIRS[p + 1]!;
      b[--i] = PAIRS[p]!;
      rest = q;
    }
    if (f === 1) {
      const q = (rest / 10) | 0;
      b[--i] = 48 + rest - q * 10;
      rest = q;
    }
    b[--i] = 46; // .
  } else for (let z = k; z < 0; z++) b[--i] = 48;
  // Pairs written in place, not by a helper: a call here cost the whole line 4 %.
  while (rest >= 100) {
    const q = (rest / 100) | 0;
    const p = (rest - q * 100) << 1;
    b[--i] = PAIRS[p + 1]!;
    b[--i] = PAIRS[p]!;
    rest = q;
  }
  // The first one or two digits end at i, which is where the text starts.
  if (rest >= 10) {
    b[i - 1] = PAIRS[(rest << 1) + 1]!;
    b[i - 2] = PAIRS[rest << 1]!;
  } else b[i - 1] = 48 + rest;
  return end;
}

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

  /** A buffer of its own of `capacity` bytes, or `start` (a slot of shared memory) until that fills up. */
  constructor(capacity = 1 << 16, start?: Buffer) {
    this.buf = start ?? Buffer.allocUnsafeSlow(capacity);
  }

  private room(n: number): Buffer {
    if (this.length + n > this.buf.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.length + n));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    return this.buf;
  }

  /** Room for n more bytes, written from `length` on by the caller, who then moves `length` past them. */
  reserve(n: number): Uint8Array {
    return this.room(n);
  }

  /** A string known to be ASCII, such as a number or a timestamp. */
  ascii(s: string): void {
    this.length = writeAscii(this.room(s.length), this.length, s);
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

  /** f32(v) from float-text. */
  f32(v: number): void {
    this.length = writeF32(this.room(MAX_F32_BYTES), this.length, v);
  }

  /**
   * Float32 values, `total` of them from values[from], null past `count` of them: in a list
   * (comma-separated), or each after its key (`"name":`, with the comma before all but the first).
   * One room check for them all, bounded by `room`, instead of two a value.
   */
  f32s(
    values: Float32Array,
    from: number,
    count: number,
    total: number,
    keys: readonly Uint8Array[] | null,
    room: number,
  ): void {
    const b = this.room(room);
    let at = this.length;
    for (let i = 0; i < total; i++) {
      if (keys) {
        const key = keys[i]!;
        for (let j = 0; j < key.length; j++) b[at++] = key[j]!;
      } else if (i > 0) b[at++] = 44; // ,
      at = writeF32(b, at, i < count ? values[from + i]! : Number.NaN);
    }
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
