/**
 * Near-duplicate suppression for the mined queue (the queue should not hold 50 copies of one spam
 * mail): 64-bit SimHash over text with banded lookup, and cosine similarity over feature vectors.
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

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
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

/** murmur3_32 over three 32-bit words (an ordered shingle of three token hashes). */
function hash3(a: number, b: number, c: number, seed: number): number {
  let h = seed;
  for (const w of [a, b, c]) {
    let x = Math.imul(w, 0xcc9e2d51);
    x = rotl(x, 15);
    x = Math.imul(x, 0x1b873593);
    h ^= x;
    h = rotl(h, 13);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return fmix32(h ^ 12);
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
 */
export function simhash64(text: string): SimHash {
  return simhashOfTokens(textTokens(text));
}

function simhashOfTokens(tokens: readonly string[]): SimHash {
  const w = tokens.length;
  if (w === 0) return { hi: 0, lo: 0 };
  const th = new Uint32Array(w);
  const tl = new Uint32Array(w);
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

/** Default SimHash distance: see `suppressNearDuplicates`. */
export const DEFAULT_MAX_DISTANCE = 3;

interface Band {
  half: 'hi' | 'lo';
  shift: number;
  mask: number;
}

/** Splits 64 bits into `count` disjoint bands (≤ 32 bits each, never straddling the halves). */
function makeBands(count: number): Band[] {
  const bands: Band[] = [];
  const loCount = Math.floor(count / 2);
  for (const [half, c] of [
    ['lo', loCount],
    ['hi', count - loCount],
  ] as const) {
    let shift = 0;
    for (let b = 0; b < c; b++) {
      const width = Math.floor(32 / c) + (b < 32 % c ? 1 : 0);
      bands.push({ half, shift, mask: width >= 32 ? 0xffffffff : (1 << width) - 1 });
      shift += width;
    }
  }
  return bands;
}

/**
 * Walks `order` (example indexes, highest priority first) and keeps an example unless its text is
 * an exact duplicate (same `normaliseText`) or within `maxDistance` SimHash bits of an example
 * already kept. `texts[order[j]]` is the text of the j-th candidate (texts is indexed by example
 * index). Null texts are always kept and never suppress others; empty texts only match exactly.
 * Walking stops once `limit` examples are kept; repeated indexes in `order` are skipped.
 *
 * Lookup is banded, not pairwise: the 64 bits are cut into maxDistance + 1 disjoint bands (4 bands
 * of 16 bits for the default 3), and by pigeonhole two hashes within maxDistance bits agree on at
 * least one band, so only kept examples sharing a band value are compared. Large distances mean
 * narrow bands and more comparisons (at 10, 11 bands of ~6 bits: about 1/6 of the kept set).
 *
 * Choosing maxDistance: SimHash distance grows with the share of changed shingles, about
 * 64 · angle / π. One edited word in a ~35-word text changes 3 of ~33 shingles, typically 6–12
 * bits, so the default 3 only catches near-verbatim copies of short texts; pass ~12 for short
 * messages. Unrelated texts sit near 32 bits (σ ≈ 4), so 12 still leaves a wide gap.
 */
export function suppressNearDuplicates(
  order: Int32Array,
  texts: readonly (string | null)[],
  maxDistance = DEFAULT_MAX_DISTANCE,
  limit = Infinity,
): Suppression {
  if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > 63) {
    throw new RangeError(`maxDistance must be an integer in [0, 63], got ${maxDistance}`);
  }
  const bands = makeBands(Math.max(2, maxDistance + 1));
  const buckets = bands.map(() => new Map<number, number[]>());
  const keptHashes: SimHash[] = [];
  const keptIndex: number[] = [];
  const lastSeen: number[] = []; // per kept slot: the candidate step that last compared it
  const exact = new Map<string, number>();
  const visited = new Set<number>();
  const kept: number[] = [];
  const duplicateOf = new Map<number, number>();

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
    if (tokens.length === 0) {
      exact.set(key, idx);
      kept.push(idx);
      continue;
    }
    const h = simhashOfTokens(tokens);
    let match = -1;
    for (let b = 0; b < bands.length && match < 0; b++) {
      const band = bands[b]!;
      const value = ((band.half === 'hi' ? h.hi : h.lo) >>> band.shift) & band.mask;
      const slots = buckets[b]!.get(value);
      if (!slots) continue;
      for (const slot of slots) {
        if (lastSeen[slot] === step) continue;
        lastSeen[slot] = step;
        if (hamming(h, keptHashes[slot]!) <= maxDistance) {
          match = slot;
          break;
        }
      }
    }
    if (match >= 0) {
      const original = keptIndex[match]!;
      duplicateOf.set(idx, original);
      exact.set(key, original);
      continue;
    }
    const slot = keptHashes.length;
    keptHashes.push(h);
    keptIndex.push(idx);
    lastSeen.push(-1);
    for (let b = 0; b < bands.length; b++) {
      const band = bands[b]!;
      const value = ((band.half === 'hi' ? h.hi : h.lo) >>> band.shift) & band.mask;
      const bucket = buckets[b]!;
      const slots = bucket.get(value);
      if (slots) slots.push(slot);
      else bucket.set(value, [slot]);
    }
    exact.set(key, idx);
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
