/**
 * Signed feature hashing of text (built in, nothing downloaded): word n-grams as scikit-learn's
 * default word analyzer makes them and character n-grams as its 'char_wb' analyzer makes them, each
 * hashed with MurmurHash3_x86_32 (seed 0) over its UTF-8 bytes into one space of `dim` columns, the
 * sign taken from the hash as HashingVectorizer(alternate_sign=True) does. Counts become
 * sign·log1p(|count|) and each row is L2-normalised. Equal to summing scikit-learn's word and char_wb
 * HashingVectorizer(norm=None) outputs, then applying the log and the norm.
 */
import type { SparseDesign } from './design';

export interface HashingOptions {
  /** Columns; default 2**18. */
  dim?: number;
  /** Word n-gram range; default [1, 2]. */
  wordNgrams?: [number, number];
  /** Character n-gram range within space-padded words; default [3, 5]. */
  charNgrams?: [number, number];
  /** Default true. */
  lowercase?: boolean;
}

export const DEFAULT_HASHING_DIM = 2 ** 18;

/** MurmurHash3_x86_32 of bytes[start..end) as a signed 32-bit integer (scikit-learn's murmurhash3_32). */
export function murmurhash3_32(bytes: Uint8Array, seed = 0, start = 0, end = bytes.length): number {
  let h = seed | 0;
  const len = end - start;
  const blocksEnd = start + (len & ~3);
  let i = start;
  for (; i < blocksEnd; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = len & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= bytes[i + 2]! << 16;
    if (tail >= 2) k ^= bytes[i + 1]! << 8;
    k ^= bytes[i]!;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

const encoder = new TextEncoder();

/** murmurhash3_32 of a string's UTF-8 bytes. */
export function murmurhash3String(text: string, seed = 0): number {
  return murmurhash3_32(encoder.encode(text), seed);
}

/** Python's \w\w+ between word boundaries: runs of two or more letters, digits or underscores. */
const WORD_TOKEN = /[\p{L}\p{N}_]{2,}/gu;
/** Runs of anything but Python's str.split() whitespace (which includes the \x1c–\x1f separators). */
// eslint-disable-next-line no-control-regex
const NON_SPACE = /[^\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;

/** Reusable buffers for hashing many texts without allocating per n-gram. */
class TextHasher {
  readonly dim: number;
  private readonly word: [number, number];
  private readonly char: [number, number];
  private readonly lowercase: boolean;
  // Counts of one text live in a small open-addressing table keyed by column (it stays in cache,
  // unlike dim-sized arrays); `slots` lists the occupied slots so clearing costs only what was used.
  private keys = new Int32Array(2048).fill(-1);
  private counts = new Float64Array(2048);
  private slots = new Int32Array(1024);
  private used = 0;
  private shift = 32 - 11;
  private columns = new Int32Array(1024);
  private values = new Float64Array(1024);
  private bytes = new Uint8Array(4096);
  private tokenStart = new Int32Array(256);
  private tokenEnd = new Int32Array(256);
  private cpOffset = new Int32Array(256);
  private readonly minIndex: number;

  constructor(options: HashingOptions = {}) {
    this.dim = options.dim ?? DEFAULT_HASHING_DIM;
    if (!Number.isInteger(this.dim) || this.dim < 1 || this.dim > 2 ** 30) {
      throw new RangeError(`hashing dim must be a whole number in 1..2^30, got ${this.dim}`);
    }
    this.word = checkRange(options.wordNgrams ?? [1, 2], 'wordNgrams');
    this.char = checkRange(options.charNgrams ?? [3, 5], 'charNgrams');
    this.lowercase = options.lowercase ?? true;
    // scikit-learn maps h = −2^31 (whose abs overflows int32) to 2^31 mod dim.
    this.minIndex = 2 ** 31 % this.dim;
  }

  /** Hashes one text; the result stays valid until the next call. */
  hash(raw: string): { indices: Int32Array; count: number; values: Float64Array } {
    const text = this.lowercase ? raw.toLowerCase() : raw;
    for (let i = 0; i < this.used; i++) this.keys[this.slots[i]!] = -1;
    this.used = 0;
    this.addWordNgrams(text);
    this.addCharNgrams(text);
    if (this.columns.length < this.used) {
      this.columns = new Int32Array(this.slots.length);
      this.values = new Float64Array(this.slots.length);
    }
    let kept = 0;
    for (let i = 0; i < this.used; i++) {
      const slot = this.slots[i]!;
      if (this.counts[slot] !== 0) this.columns[kept++] = this.keys[slot]!; // 0: opposite signs cancelled
    }
    const indices = this.columns.subarray(0, kept);
    sortInt32(indices, 0, kept - 1);
    const values = this.values;
    let sq = 0;
    for (let i = 0; i < kept; i++) {
      const c = this.counts[this.find(indices[i]!)]!;
      const v = c > 0 ? logCount(c) : -logCount(-c);
      values[i] = v;
      sq += v * v;
    }
    const scale = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    for (let i = 0; i < kept; i++) values[i]! *= scale;
    return { indices, count: kept, values };
  }

  /** The slot holding column, or the empty slot where it belongs. */
  private find(column: number): number {
    const mask = this.keys.length - 1;
    let slot = Math.imul(column, 0x9e3779b1) >>> this.shift;
    while (this.keys[slot] !== -1 && this.keys[slot] !== column) slot = (slot + 1) & mask;
    return slot;
  }

  private add(start: number, end: number): void {
    const h = murmurhash3_32(this.bytes, 0, start, end);
    const column = h === -2147483648 ? this.minIndex : (h < 0 ? -h : h) % this.dim;
    let slot = this.find(column);
    if (this.keys[slot] === -1) {
      if (2 * (this.used + 1) > this.keys.length) {
        this.rehash();
        slot = this.find(column);
      }
      this.keys[slot] = column;
      this.counts[slot] = 0;
      this.slots[this.used++] = slot;
    }
    this.counts[slot]! += h >= 0 ? 1 : -1;
  }

  private rehash(): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    const oldSlots = this.slots.subarray(0, this.used);
    this.keys = new Int32Array(oldKeys.length * 2).fill(-1);
    this.counts = new Float64Array(oldKeys.length * 2);
    this.shift--;
    const slots = new Int32Array(this.keys.length / 2);
    for (let i = 0; i < oldSlots.length; i++) {
      const column = oldKeys[oldSlots[i]!]!;
      const slot = this.find(column);
      this.keys[slot] = column;
      this.counts[slot] = oldCounts[oldSlots[i]!]!;
      slots[i] = slot;
    }
    this.slots = slots;
  }

  private addWordNgrams(text: string): void {
    // Tokens are written to the byte buffer one space apart, so the n-gram "t_i … t_{i+n−1}" (tokens
    // joined by single spaces, as scikit-learn joins them) is one contiguous byte range.
    let tokens = 0;
    let pos = 0;
    WORD_TOKEN.lastIndex = 0;
    for (let m = WORD_TOKEN.exec(text); m !== null; m = WORD_TOKEN.exec(text)) {
      if (tokens === this.tokenStart.length) {
        this.tokenStart = grow(this.tokenStart, tokens);
        this.tokenEnd = grow(this.tokenEnd, tokens);
      }
      if (tokens > 0) pos = this.putByte(pos, 0x20);
      this.tokenStart[tokens] = pos;
      pos = this.putUtf8(text, m.index, m.index + m[0].length, pos);
      this.tokenEnd[tokens++] = pos;
    }
    const [lo, hi] = this.word;
    for (let n = lo; n <= hi && n <= tokens; n++) {
      for (let i = 0; i + n <= tokens; i++) this.add(this.tokenStart[i]!, this.tokenEnd[i + n - 1]!);
    }
  }

  private addCharNgrams(text: string): void {
    const [lo, hi] = this.char;
    NON_SPACE.lastIndex = 0;
    for (let m = NON_SPACE.exec(text); m !== null; m = NON_SPACE.exec(text)) {
      // The word padded with one space each side; cpOffset[c] is the byte where code point c starts.
      let cps = 0;
      let pos = 0;
      this.cpOffset[cps++] = pos;
      pos = this.putByte(pos, 0x20);
      const end = m.index + m[0].length;
      for (let i = m.index; i < end;) {
        if (cps + 2 >= this.cpOffset.length) this.cpOffset = grow(this.cpOffset, cps);
        this.cpOffset[cps++] = pos;
        const c = text.charCodeAt(i);
        const next = c >= 0xd800 && c <= 0xdbff && i + 1 < end ? i + 2 : i + 1;
        pos = this.putUtf8(text, i, next, pos);
        i = next;
      }
      this.cpOffset[cps++] = pos;
      pos = this.putByte(pos, 0x20);
      this.cpOffset[cps] = pos;
      const length = cps; // code points in the padded word
      for (let n = lo; n <= hi; n++) {
        if (length <= n) {
          // scikit-learn counts a padded word no longer than n once, as itself, and stops there.
          this.add(0, pos);
          break;
        }
        for (let o = 0; o + n <= length; o++) this.add(this.cpOffset[o]!, this.cpOffset[o + n]!);
      }
    }
  }

  private putByte(pos: number, b: number): number {
    if (pos >= this.bytes.length) this.bytes = growBytes(this.bytes, pos + 1);
    this.bytes[pos] = b;
    return pos + 1;
  }

  /** UTF-8 of text[from..to) at pos (lone surrogates as U+FFFD, like TextEncoder); returns the end. */
  private putUtf8(text: string, from: number, to: number, pos: number): number {
    if (pos + (to - from) * 3 > this.bytes.length) this.bytes = growBytes(this.bytes, pos + (to - from) * 3);
    const b = this.bytes;
    for (let i = from; i < to; i++) {
      let c = text.charCodeAt(i);
      if (c < 0x80) {
        b[pos++] = c;
      } else if (c < 0x800) {
        b[pos++] = 0xc0 | (c >> 6);
        b[pos++] = 0x80 | (c & 63);
      } else {
        if (c >= 0xd800 && c <= 0xdfff) {
          const d = i + 1 < to ? text.charCodeAt(i + 1) : 0;
          if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
            c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
            i++;
            b[pos++] = 0xf0 | (c >> 18);
            b[pos++] = 0x80 | ((c >> 12) & 63);
            b[pos++] = 0x80 | ((c >> 6) & 63);
            b[pos++] = 0x80 | (c & 63);
            continue;
          }
          c = 0xfffd;
        }
        b[pos++] = 0xe0 | (c >> 12);
        b[pos++] = 0x80 | ((c >> 6) & 63);
        b[pos++] = 0x80 | (c & 63);
      }
    }
    return pos;
  }
}

const LOG_TABLE = Float64Array.from({ length: 64 }, (_, c) => Math.log1p(c));

/** log1p of a whole count ≥ 1, from a table for the small counts nearly every feature has. */
function logCount(c: number): number {
  return c < 64 ? LOG_TABLE[c]! : Math.log1p(c);
}

/** Ascending in place: quicksort with median-of-three, insertion sort for short runs. */
function sortInt32(a: Int32Array, lo: number, hi: number): void {
  while (hi - lo > 16) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) swap(a, i++, j--);
    }
    // Recurse into the smaller side, loop over the larger, so the stack stays O(log n).
    if (j - lo < hi - i) {
      sortInt32(a, lo, j);
      lo = i;
    } else {
      sortInt32(a, i, hi);
      hi = j;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= lo && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

function swap(a: Int32Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

function checkRange(range: [number, number], name: string): [number, number] {
  const [lo, hi] = range;
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi < lo) {
    throw new RangeError(`${name} must be [min, max] with 1 ≤ min ≤ max, got [${lo}, ${hi}]`);
  }
  return [lo, hi];
}

function grow(a: Int32Array, used: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a.subarray(0, used));
  return b;
}

function growBytes(a: Uint8Array, need: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/** One text's hashed features: sorted unique column indices and their L2-normalised values. */
export function hashText(text: string, options?: HashingOptions): { indices: Int32Array; values: Float32Array } {
  const { indices, count, values } = new TextHasher(options).hash(text);
  return { indices: indices.slice(0, count), values: Float32Array.from(values.subarray(0, count)) };
}

/** Many texts as one CSR design, rows in input order. */
export function hashTexts(texts: readonly string[], options?: HashingOptions): SparseDesign {
  const hasher = new TextHasher(options);
  const indptr = new Int32Array(texts.length + 1);
  let indices = new Int32Array(Math.max(1024, texts.length * 64));
  let values = new Float32Array(indices.length);
  let nnz = 0;
  for (let r = 0; r < texts.length; r++) {
    const row = hasher.hash(texts[r]!);
    if (nnz + row.count > indices.length) {
      const size = Math.max(nnz + row.count, indices.length * 2);
      const i2 = new Int32Array(size);
      i2.set(indices.subarray(0, nnz));
      const v2 = new Float32Array(size);
      v2.set(values.subarray(0, nnz));
      indices = i2;
      values = v2;
    }
    indices.set(row.indices.subarray(0, row.count), nnz);
    for (let i = 0; i < row.count; i++) values[nnz + i] = row.values[i]!;
    nnz += row.count;
    indptr[r + 1] = nnz;
  }
  return {
    kind: 'sparse',
    rows: texts.length,
    dim: hasher.dim,
    indptr,
    indices: indices.slice(0, nnz),
    values: values.slice(0, nnz),
  };
}
