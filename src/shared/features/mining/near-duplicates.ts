/**
 * Near-duplicate suppression for the mined queue (the queue should not hold 50 copies of one spam
 * mail): exact copies by normalised text, near copies by word-shingle Jaccard found through MinHash
 * LSH, and cosine similarity over feature vectors. Also a 64-bit SimHash fingerprint with Hamming
 * distance, for storing one compact signature per text.
 */

/** A 64-bit SimHash as two unsigned 32-bit halves (bits 63..32 in hi, 31..0 in lo). */
export interface SimHash {
  hi: number;
  lo: number;
}

const TOKEN = /[\p{L}\p{N}]+/gu;

/**
 * Word tokens of a text: NFKC, lower case, runs of letters and digits (punctuation and spacing are
 * dropped). Scripts written without spaces (Chinese, Japanese, Thai) give one token per run, so
 * near-duplicates there are only caught when the runs match.
 */
export function textTokens(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(TOKEN) ?? [];
}

/** The text compared for exact duplicates: its tokens joined by single spaces. */
export function normaliseText(text: string): string {
  return textTokens(text).join(' ');
}

/** murmur3's 32-bit finaliser; int32 result (signed order is as good as unsigned for hashing). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** FNV-1a over UTF-16 code units from a seed, finished with murmur3's avalanche. */
function hashString(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h ^ s.length);
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function murmurMix(h: number, w: number): number {
  let x = Math.imul(w, 0xcc9e2d51);
  x = rotl(x, 15);
  x = Math.imul(x, 0x1b873593);
  h ^= x;
  h = rotl(h, 13);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** murmur3_32 over three 32-bit words (an ordered shingle of three token hashes). */
function hash3(a: number, b: number, c: number, seed: number): number {
  return fmix32(murmurMix(murmurMix(murmurMix(seed, a), b), c) ^ 12);
}

const SEED_HI = 0x811c9dc5;
const SEED_LO = 0x9747b28c;
const SHINGLE_HI = 0x2545f491;
const SHINGLE_LO = 0x6c8e9cf5;

/** Words per shingle. */
export const SHINGLE_WORDS = 3;

function addBits(counts: Int32Array, offset: number, h: number): void {
  for (let bit = 0; bit < 32; bit++) counts[offset + bit]! += ((h >>> bit) & 1) * 2 - 1;
}

function collapse(counts: Int32Array, offset: number): number {
  let h = 0;
  for (let bit = 0; bit < 32; bit++) if (counts[offset + bit]! > 0) h |= 1 << bit;
  return h >>> 0;
}

/**
 * 64-bit SimHash (Charikar) of a text over its word 3-shingles (every shingle weighs 1, repeats
 * add up); texts of fewer than three words use their words. Each shingle gets two independent 32-bit
 * hashes (murmur3 mixing of per-word FNV-1a hashes) so no BigInt is needed. Empty text → {0, 0}.
 *
 * The expected Hamming distance of two texts is about 64 · angle / π between their shingle vectors:
 * good for long documents and near-verbatim copies (≤ 3 bits), too coarse to tell an edited copy of a
 * short text from a different one (see `suppressNearDuplicates`, which therefore does not use it).
 */
export function simhash64(text: string): SimHash {
  return simhashOfTokens(textTokens(text));
}

function simhashOfTokens(tokens: readonly string[]): SimHash {
  const w = tokens.length;
  if (w === 0) return { hi: 0, lo: 0 };
  const th = new Int32Array(w);
  const tl = new Int32Array(w);
  for (let i = 0; i < w; i++) {
    th[i] = hashString(tokens[i]!, SEED_HI);
    tl[i] = hashString(tokens[i]!, SEED_LO);
  }
  const counts = new Int32Array(64); // [0, 32) → lo bits, [32, 64) → hi bits
  if (w < SHINGLE_WORDS) {
    for (let i = 0; i < w; i++) {
      addBits(counts, 0, tl[i]!);
      addBits(counts, 32, th[i]!);
    }
  } else {
    for (let i = 0; i + SHINGLE_WORDS <= w; i++) {
      addBits(counts, 0, hash3(tl[i]!, tl[i + 1]!, tl[i + 2]!, SHINGLE_LO));
      addBits(counts, 32, hash3(th[i]!, th[i + 1]!, th[i + 2]!, SHINGLE_HI));
    }
  }
  return { hi: collapse(counts, 32), lo: collapse(counts, 0) };
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Number of differing bits between two 64-bit SimHashes. */
export function hamming(a: SimHash, b: SimHash): number {
  return popcount32((a.hi ^ b.hi) >>> 0) + popcount32((a.lo ^ b.lo) >>> 0);
}

export interface Suppression {
  /** Indexes kept, in the order walked. */
  kept: Int32Array;
  /** Suppressed index → the kept index it duplicates. */
  duplicateOf: Map<number, number>;
}

/**
 * The distinct 32-bit hashes (int32) of a text's word 3-shingles (words themselves for texts of one
 * or two words), sorted ascending. Empty for a text without letters or digits.
 */
export function textShingles(text: string): Int32Array {
  return shinglesOfTokens(textTokens(text));
}

function shinglesOfTokens(tokens: readonly string[]): Int32Array {
  const w = tokens.length;
  if (w === 0) return new Int32Array(0);
  const th = new Int32Array(w);
  for (let i = 0; i < w; i++) th[i] = hashString(tokens[i]!, SEED_LO);
  let out: Int32Array;
  if (w < SHINGLE_WORDS) out = th;
  else {
    out = new Int32Array(w - SHINGLE_WORDS + 1);
    for (let i = 0; i < out.length; i++) out[i] = hash3(th[i]!, th[i + 1]!, th[i + 2]!, SHINGLE_LO);
  }
  out.sort();
  let u = 0;
  for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[u - 1]) out[u++] = out[i]!;
  return out.subarray(0, u);
}

/** Jaccard similarity |A ∩ B| / |A ∪ B| of two sorted sets of distinct values (1 for two empty sets). */
export function jaccard(a: Int32Array, b: Int32Array): number {
  if (a.length === 0 && b.length === 0) return 1;
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      inter++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return inter / (a.length + b.length - inter);
}

// MinHash LSH: BANDS bands of ROWS min-hashes each. A pair with shingle Jaccard J shares at least one
// band with probability 1 − (1 − J^4)^20: 0.94 at J = 0.6, 0.98 at 0.65, 0.996 at 0.7, but 0.15 at 0.3
// and 0.002 at 0.1. (3 rows let through too many pairs of template-built texts, J 0.2–0.4, to verify;
// 5 rows need more bands for the same recall; 4 × 20 was fastest on the demo data.)
const BANDS = 20;
const ROWS = 4;
const MINHASHES = BANDS * ROWS;
const PERM_A = new Int32Array(MINHASHES);
const PERM_B = new Int32Array(MINHASHES);
{
  // Fixed multipliers (odd) and offsets from a splitmix-style sequence: part of the format, never change.
  let x = 0x6a09e667;
  for (let i = 0; i < MINHASHES; i++) {
    x = (x + 0x9e3779b9) | 0;
    PERM_A[i] = fmix32(x) | 1;
    x = (x + 0x9e3779b9) | 0;
    PERM_B[i] = fmix32(x);
  }
}

function minhashes(shingles: Int32Array, out: Int32Array): void {
  const len = shingles.length;
  for (let i = 0; i < MINHASHES; i++) {
    const a = PERM_A[i]!;
    const b = PERM_B[i]!;
    let min = 0x7fffffff;
    for (let s = 0; s < len; s++) {
      let h = (Math.imul(shingles[s]!, a) + b) | 0;
      h ^= h >>> 16;
      min = h < min ? h : min;
    }
    out[i] = min;
  }
}

/** A 30-bit key (a small integer for V8, so Map lookups stay fast) for one band of a signature. */
function bandKey(sig: Int32Array, band: number): number {
  const o = band * ROWS;
  let h = band;
  for (let r = 0; r < ROWS; r++) h = murmurMix(h, sig[o + r]!);
  return fmix32(h ^ (ROWS * 4)) >>> 2;
}

export interface NearDuplicateOptions {
  /**
   * Shingle Jaccard at or above which a text duplicates a kept one. Default 0.6: one swapped word in
   * a 150–250 character text gives 0.75–0.9, two swapped words 0.6–0.8, unrelated texts ~0; texts
   * built from the same sentence templates (the demo data) are mostly below 0.5 (about 1 pair in
   * 40,000 at ≥ 0.6, and those differ only in a slot or two).
   */
  minJaccard?: number;
  /** Stop once this many examples are kept (default: walk all of `order`). */
  limit?: number;
}

/** Default of `NearDuplicateOptions.minJaccard`. */
export const DEFAULT_MIN_JACCARD = 0.6;

/**
 * Walks `order` (example indexes, highest priority first) and keeps an example unless its text is
 * an exact duplicate (same `normaliseText`: case, punctuation and spacing ignored) or a near
 * duplicate (word 3-shingle Jaccard ≥ minJaccard) of an example already kept. `texts[order[j]]` is
 * the text of the j-th candidate (texts is indexed by example index). Null texts are always kept
 * and never suppress others; texts without words only match exactly. Repeated indexes in `order`
 * are skipped.
 *
 * Not pairwise: candidates come from MinHash LSH (80 min-hashes in 20 bands of 4, see BANDS), and
 * each candidate pair is verified with the exact Jaccard of the two shingle sets, so nothing below
 * minJaccard is ever suppressed and the work per text is about its length plus the few kept texts it
 * shares a band with (~30 µs a text on the demo data). A pair is found with probability
 * 1 − (1 − J^4)^20: 0.94 at J = 0.6, 0.996 at 0.7; a lower minJaccard also lowers that recall
 * (0.73 at 0.5).
 *
 * Why not SimHash (`simhash64`) here: on short texts its Hamming distance cannot separate an edited
 * copy from a different text. One swapped word in a ~200-character text moves it 4–12 of 64 bits
 * (mean ~7.5), so a radius of 3 misses ~90% of such copies, while template-built texts that are not
 * copies already sit at 5–12 bits.
 */
export function suppressNearDuplicates(
  order: Int32Array,
  texts: readonly (string | null)[],
  opts: NearDuplicateOptions = {},
): Suppression {
  const minJaccard = opts.minJaccard ?? DEFAULT_MIN_JACCARD;
  const limit = opts.limit ?? Infinity;
  if (!(minJaccard > 0 && minJaccard <= 1)) throw new RangeError(`minJaccard must be in (0, 1], got ${minJaccard}`);
  const buckets = Array.from({ length: BANDS }, () => new Map<number, number[]>());
  const keptShingles: Int32Array[] = [];
  const keptIndex: number[] = [];
  const lastSeen: number[] = []; // per kept slot: the step that last compared it
  const exact = new Map<string, number>();
  const visited = new Set<number>();
  const kept: number[] = [];
  const duplicateOf = new Map<number, number>();
  const sig = new Int32Array(MINHASHES);
  const keys = new Int32Array(BANDS);

  for (let step = 0; step < order.length && kept.length < limit; step++) {
    const idx = order[step]!;
    if (visited.has(idx)) continue;
    visited.add(idx);
    const text = texts[idx];
    if (text === null || text === undefined) {
      kept.push(idx);
      continue;
    }
    const tokens = textTokens(text);
    const key = tokens.join(' ');
    const same = exact.get(key);
    if (same !== undefined) {
      duplicateOf.set(idx, same);
      continue;
    }
    exact.set(key, idx);
    if (tokens.length === 0) {
      kept.push(idx);
      continue;
    }
    const shingles = shinglesOfTokens(tokens);
    minhashes(shingles, sig);
    let match = -1;
    for (let b = 0; b < BANDS && match < 0; b++) {
      const k = bandKey(sig, b);
      keys[b] = k;
      const slots = buckets[b]!.get(k);
      if (!slots) continue;
      for (const slot of slots) {
        if (lastSeen[slot] === step) continue;
        lastSeen[slot] = step;
        if (jaccard(shingles, keptShingles[slot]!) >= minJaccard) {
          match = slot;
          break;
        }
      }
    }
    if (match >= 0) {
      const original = keptIndex[match]!;
      duplicateOf.set(idx, original);
      exact.set(key, original); // later exact copies of this text point at the kept one
      continue;
    }
    const slot = keptShingles.length;
    keptShingles.push(shingles);
    keptIndex.push(idx);
    lastSeen.push(-1);
    for (let b = 0; b < BANDS; b++) {
      const bucket = buckets[b]!;
      const k = keys[b]!;
      const slots = bucket.get(k);
      if (slots) slots.push(slot);
      else bucket.set(k, [slot]);
    }
    kept.push(idx);
  }
  return { kept: Int32Array.from(kept), duplicateOf };
}

/**
 * Cosine near-duplicates over feature vectors: walks `order` and drops an example whose vector has
 * cosine ≥ minCosine with an already kept one. `features` is row-major, example i at
 * `features.subarray(i * dim, (i + 1) * dim)`. A zero vector only duplicates another zero vector.
 *
 * Plain O(kept × candidates × dim) comparison, no index: it is meant for the top few thousand
 * candidates of a mining run (e.g. 2,000 kept × 4,000 walked × 32 dims ≈ 2.5·10^8 multiply-adds).
 */
export function suppressNearDuplicateVectors(
  order: Int32Array,
  features: Float32Array,
  dim: number,
  minCosine = 0.995,
  limit = Infinity,
): Suppression {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a positive integer, got ${dim}`);
  const kept: number[] = [];
  const keptNorms: number[] = [];
  const duplicateOf = new Map<number, number>();
  const visited = new Set<number>();
  let zeroKept = -1;

  for (let step = 0; step < order.length && kept.length < limit; step++) {
    const idx = order[step]!;
    if (visited.has(idx)) continue;
    visited.add(idx);
    const base = idx * dim;
    if (base + dim > features.length) throw new RangeError(`features has no row ${idx} of dimension ${dim}`);
    let sq = 0;
    for (let d = 0; d < dim; d++) {
      const x = features[base + d]!;
      sq += x * x;
    }
    const norm = Math.sqrt(sq);
    if (norm === 0) {
      if (zeroKept >= 0) duplicateOf.set(idx, zeroKept);
      else {
        zeroKept = idx;
        kept.push(idx);
        keptNorms.push(0);
      }
      continue;
    }
    let match = -1;
    for (let s = 0; s < kept.length; s++) {
      const other = keptNorms[s]!;
      if (other === 0) continue;
      const obase = kept[s]! * dim;
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += features[base + d]! * features[obase + d]!;
      if (dot / (norm * other) >= minCosine) {
        match = kept[s]!;
        break;
      }
    }
    if (match >= 0) duplicateOf.set(idx, match);
    else {
      kept.push(idx);
      keptNorms.push(norm);
    }
  }
  return { kept: Int32Array.from(kept), duplicateOf };
}
