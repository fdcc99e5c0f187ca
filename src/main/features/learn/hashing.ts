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

/**
 * Distinct words whose character n-gram features are remembered. When full, new words are no longer
 * added: frequent words turn up early, and rare ones (numbers, names) would only push them out.
 */
const WORD_CACHE_SIZE = 200_000;
/** Longer words (URLs, hashes) seldom repeat and are not remembered. */
const WORD_CACHE_MAX_LENGTH = 24;

const RADIX_BITS = 9;

const OTHER = 0;
/** Python's \w: letters, digits (any script) and underscore; a run of two or more is a word token. */
const WORD = 1;
/** Python's str.split() whitespace (which includes the \x1c–\x1f separators). */
const SPACE = 2;
const WORD_CHAR = /^[\p{L}\p{N}_]$/u;
// eslint-disable-next-line no-control-regex
const SPACE_CHAR = /^[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;

function classify(cp: number): number {
  const s = String.fromCodePoint(cp);
  return WORD_CHAR.test(s) ? WORD : SPACE_CHAR.test(s) ? SPACE : OTHER;
}

/** Class + 1 per BMP code point, 0 until first seen (filled lazily: the regex test is the slow part). */
const BMP_CLASS = new Uint8Array(65536);
for (let c = 0; c < 128; c++) BMP_CLASS[c] = classify(c) + 1;

function classOf(cp: number): number {
  if (cp > 0xffff) return classify(cp);
  let k = BMP_CLASS[cp]!;
  if (k === 0) BMP_CLASS[cp] = k = classify(cp) + 1;
  return k - 1;
}

/** Reusable buffers for hashing many texts without allocating per n-gram. */
class TextHasher {
  readonly dim: number;
  private readonly word: [number, number];
  private readonly char: [number, number];
  private readonly lowercase: boolean;
  // The text's features (column·2 + sign bit) in the order met; emit sorts them and sums repeats,
  // which is cheaper than a hash table of counts (no probing branches).
  private features = new Int32Array(4096);
  private spare = new Int32Array(4096);
  private count = 0;
  private bytes = new Uint8Array(0);
  private joined = new Uint8Array(0);
  private cpOffset = new Int32Array(0);
  private wordStart = new Int32Array(0);
  private wordEnd = new Int32Array(0);
  private tokenStart = new Int32Array(0);
  private tokenEnd = new Int32Array(0);
  private wordFrom = new Int32Array(0);
  private wordTo = new Int32Array(0);
  private words = 0;
  private readonly wordFeatures = new Map<string, Int32Array>();
  private tokens = 0;
  private readonly minIndex: number;
  private readonly columnBits: number;
  private readonly buckets = new Int32Array(1 << RADIX_BITS);

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
    this.columnBits = Math.max(1, Math.ceil(Math.log2(this.dim)));
  }

  /** Hashes one text; returns an upper bound on the columns emit will write. */
  hash(raw: string): number {
    const text = this.lowercase ? raw.toLowerCase() : raw;
    this.count = 0;
    this.scan(text);
    this.addWordNgrams();
    this.addCharNgrams(text);
    return this.count;
  }

  /** Writes the last text's features, columns ascending, at offset; returns how many it wrote. */
  emit(indices: Int32Array, values: Float32Array, offset: number): number {
    const n = this.count;
    this.radixSort(n);
    const f = this.features;
    let kept = 0;
    let sq = 0;
    for (let i = 0; i < n;) {
      const column = f[i]! >>> 1;
      let c = 0;
      for (; i < n && f[i]! >>> 1 === column; i++) c += 1 - 2 * (f[i]! & 1);
      if (c === 0) continue; // opposite signs cancelled in a collision
      const v = c > 0 ? logCount(c) : -logCount(-c);
      indices[offset + kept] = column;
      values[offset + kept++] = v;
      sq += v * v;
    }
    const scale = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    for (let i = offset; i < offset + kept; i++) values[i]! *= scale;
    return kept;
  }

  /** Sorts features[0..n) ascending: least-significant-digit radix sort, branch-free. */
  private radixSort(n: number): void {
    const buckets = this.buckets;
    const mask = buckets.length - 1;
    for (let shift = 0; shift < this.columnBits + 1; shift += RADIX_BITS) {
      const from = this.features;
      const to = this.spare;
      buckets.fill(0);
      for (let i = 0; i < n; i++) buckets[(from[i]! >>> shift) & mask]!++;
      let total = 0;
      for (let b = 0; b <= mask; b++) {
        const c = buckets[b]!;
        buckets[b] = total;
        total += c;
      }
      for (let i = 0; i < n; i++) {
        const v = from[i]!;
        to[buckets[(v >>> shift) & mask]!++] = v;
      }
      this.features = to;
      this.spare = from;
    }
  }

  /** The feature bytes[start..end) as column·2 + (1 if its sign is negative). */
  private feature(bytes: Uint8Array, start: number, end: number): number {
    const h = murmurhash3_32(bytes, 0, start, end);
    const column = h === -2147483648 ? this.minIndex : (h < 0 ? -h : h) % this.dim;
    return column * 2 + (h >= 0 ? 0 : 1);
  }

  private add(bytes: Uint8Array, start: number, end: number): void {
    this.addFeature(this.feature(bytes, start, end));
  }

  private addFeature(feature: number): void {
    if (this.count === this.features.length) {
      const bigger = new Int32Array(this.count * 2);
      bigger.set(this.features);
      this.features = bigger;
      this.spare = new Int32Array(this.count * 2);
    }
    this.features[this.count++] = feature;
  }

  /**
   * One pass over the text writes it as UTF-8 with whitespace runs collapsed to one space and a space
   * at each end (so each space-padded word of char_wb is one byte range), noting where every code
   * point starts, and copies the word tokens, one space apart, to a second buffer (so each word
   * n-gram, tokens joined by single spaces, is one byte range too).
   */
  private scan(text: string): void {
    const n = text.length;
    if (this.bytes.length < 3 * n + 2) {
      this.bytes = new Uint8Array(6 * n + 4);
      this.joined = new Uint8Array(6 * n + 4);
    }
    if (this.cpOffset.length < n + 3) {
      this.cpOffset = new Int32Array(2 * n + 6);
      this.wordStart = new Int32Array(2 * n + 6);
      this.wordEnd = new Int32Array(2 * n + 6);
      this.wordFrom = new Int32Array(2 * n + 6);
      this.wordTo = new Int32Array(2 * n + 6);
      this.tokenStart = new Int32Array(2 * n + 6);
      this.tokenEnd = new Int32Array(2 * n + 6);
    }
    const b = this.bytes;
    const cpOffset = this.cpOffset;
    let pos = 0;
    let cps = 0;
    let words = 0;
    let tokens = 0;
    let joinedPos = 0;
    let inWord = false;
    let tokenFrom = -1;
    let tokenCps = 0;
    cpOffset[cps++] = pos;
    b[pos++] = 0x20;
    for (let i = 0; i <= n; i++) {
      const at = i;
      let cp = 0x20;
      if (i < n) {
        cp = text.charCodeAt(i);
        if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
          const d = text.charCodeAt(i + 1);
          if (d >= 0xdc00 && d <= 0xdfff) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (d - 0xdc00);
            i++;
          }
        }
      }
      const cls = cp < 128 ? BMP_CLASS[cp]! - 1 : classOf(cp);
      if (cls !== WORD && tokenFrom >= 0) {
        if (tokenCps >= 2) {
          if (tokens > 0) this.joined[joinedPos++] = 0x20;
          this.tokenStart[tokens] = joinedPos;
          for (let k = tokenFrom; k < pos; k++) this.joined[joinedPos++] = b[k]!;
          this.tokenEnd[tokens++] = joinedPos;
        }
        tokenFrom = -1;
      }
      if (cls === SPACE) {
        if (inWord) {
          this.wordTo[words] = at;
          this.wordEnd[words++] = cps;
          cpOffset[cps++] = pos;
          b[pos++] = 0x20;
          inWord = false;
        }
        continue;
      }
      if (!inWord) {
        this.wordStart[words] = cps;
        this.wordFrom[words] = at;
        inWord = true;
      }
      if (cls === WORD) {
        if (tokenFrom < 0) {
          tokenFrom = pos;
          tokenCps = 0;
        }
        tokenCps++;
      }
      cpOffset[cps++] = pos;
      if (cp < 0x80) {
        b[pos++] = cp;
      } else if (cp < 0x800) {
        b[pos++] = 0xc0 | (cp >> 6);
        b[pos++] = 0x80 | (cp & 63);
      } else if (cp < 0x10000) {
        if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // a lone surrogate, as TextEncoder writes it
        b[pos++] = 0xe0 | (cp >> 12);
        b[pos++] = 0x80 | ((cp >> 6) & 63);
        b[pos++] = 0x80 | (cp & 63);
      } else {
        b[pos++] = 0xf0 | (cp >> 18);
        b[pos++] = 0x80 | ((cp >> 12) & 63);
        b[pos++] = 0x80 | ((cp >> 6) & 63);
        b[pos++] = 0x80 | (cp & 63);
      }
    }
    cpOffset[cps] = pos;
    this.words = words;
    this.tokens = tokens;
  }

  private addWordNgrams(): void {
    const [lo, hi] = this.word;
    const tokens = this.tokens;
    for (let n = lo; n <= hi && n <= tokens; n++) {
      for (let i = 0; i + n <= tokens; i++) this.add(this.joined, this.tokenStart[i]!, this.tokenEnd[i + n - 1]!);
    }
  }

  /**
   * A word's character n-grams depend on the word alone, and words repeat (most text is a few
   * thousand words over and over), so each word's features are hashed once and remembered.
   */
  private addCharNgrams(text: string): void {
    for (let w = 0; w < this.words; w++) {
      let features: Int32Array | undefined;
      if (this.wordTo[w]! - this.wordFrom[w]! > WORD_CACHE_MAX_LENGTH) {
        features = this.charFeatures(w);
      } else {
        const word = text.slice(this.wordFrom[w]!, this.wordTo[w]!);
        features = this.wordFeatures.get(word);
        if (features === undefined) {
          features = this.charFeatures(w);
          if (this.wordFeatures.size < WORD_CACHE_SIZE) this.wordFeatures.set(word, features);
        }
      }
      if (this.count + features.length > this.features.length) {
        const bigger = new Int32Array(2 * (this.count + features.length));
        bigger.set(this.features.subarray(0, this.count));
        this.features = bigger;
        this.spare = new Int32Array(bigger.length);
      }
      const into = this.features;
      let at = this.count;
      for (let i = 0; i < features.length; i++) into[at++] = features[i]!; // a loop beats set() on a few items
      this.count = at;
    }
  }

  private charFeatures(w: number): Int32Array {
    const [lo, hi] = this.char;
    const cpOffset = this.cpOffset;
    const first = this.wordStart[w]! - 1; // the padding space before the word
    const length = this.wordEnd[w]! - first + 1; // code points of the padded word
    const out: number[] = [];
    for (let n = lo; n <= hi; n++) {
      if (length <= n) {
        // scikit-learn counts a padded word no longer than n once, as itself, and stops there.
        out.push(this.feature(this.bytes, cpOffset[first]!, cpOffset[first + length]!));
        break;
      }
      for (let o = first; o + n <= first + length; o++)
        out.push(this.feature(this.bytes, cpOffset[o]!, cpOffset[o + n]!));
    }
    return Int32Array.from(out);
  }
}

const LOG_TABLE = Float64Array.from({ length: 64 }, (_, c) => Math.log1p(c));

/** log1p of a whole count ≥ 1, from a table for the small counts nearly every feature has. */
function logCount(c: number): number {
  return c < 64 ? LOG_TABLE[c]! : Math.log1p(c);
}

function checkRange(range: [number, number], name: string): [number, number] {
  const [lo, hi] = range;
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi < lo) {
    throw new RangeError(`${name} must be [min, max] with 1 ≤ min ≤ max, got [${lo}, ${hi}]`);
  }
  return [lo, hi];
}

/** One text's hashed features: sorted unique column indices and their L2-normalised values. */
export function hashText(text: string, options?: HashingOptions): { indices: Int32Array; values: Float32Array } {
  const hasher = new TextHasher(options);
  const bound = hasher.hash(text);
  const indices = new Int32Array(bound);
  const values = new Float32Array(bound);
  const count = hasher.emit(indices, values, 0);
  return { indices: indices.slice(0, count), values: values.slice(0, count) };
}

/** Many texts as one CSR design, rows in input order. */
export function hashTexts(texts: readonly string[], options?: HashingOptions): SparseDesign {
  const hasher = new TextHasher(options);
  const indptr = new Int32Array(texts.length + 1);
  let indices = new Int32Array(Math.max(1024, texts.length * 64));
  let values = new Float32Array(indices.length);
  let nnz = 0;
  for (let r = 0; r < texts.length; r++) {
    const bound = hasher.hash(texts[r]!);
    if (nnz + bound > indices.length) {
      // Grow to the rate seen so far over all rows, not just by doubling: fewer copies of a big array.
      const size = Math.max(
        nnz + bound,
        indices.length * 2,
        Math.ceil(((nnz + bound) / (r + 1)) * texts.length * 1.05),
      );
      const i2 = new Int32Array(size);
      i2.set(indices.subarray(0, nnz));
      const v2 = new Float32Array(size);
      v2.set(values.subarray(0, nnz));
      indices = i2;
      values = v2;
    }
    nnz += hasher.emit(indices, values, nnz);
    indptr[r + 1] = nnz;
  }
  return {
    kind: 'sparse',
    rows: texts.length,
    dim: hasher.dim,
    indptr,
    // A view when little is wasted (the growth above aims 5% high): copying 100 MB costs more than it frees.
    indices: nnz >= 0.9 * indices.length ? indices.subarray(0, nnz) : indices.slice(0, nnz),
    values: nnz >= 0.9 * values.length ? values.subarray(0, nnz) : values.slice(0, nnz),
  };
}
