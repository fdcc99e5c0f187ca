/**
 * Selecting the examples to queue: the k highest priorities (a bounded binary heap, O(n log k),
 * no full sort) and a seeded random sample without replacement.
 */

function checkCount(k: number): void {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be a non-negative integer, got ${k}`);
}

/**
 * Indexes of the k largest priorities, best first. Ties go to the lower index, so the result is
 * fully deterministic. Only indexes with `eligible[i] !== 0` are considered when `eligible` is given;
 * NaN priorities are never selected. Returns fewer than k indexes when fewer are eligible.
 *
 * A min-heap of the k best so far (root = worst kept) is filled in one ascending scan; once full,
 * a candidate enters only if strictly greater than the root: an equal priority at a higher index
 * loses the tie anyway, so the hot path is one comparison per example. The heap keeps a copy of
 * each priority next to its index, so sifting never reads the (large) priority array at random.
 *
 * Large inputs first get a floor from a fixed, evenly spaced sample (see `sampledFloor`): values
 * below it are skipped without touching the heap, which in practice turns the O(n log k) worst case
 * (priorities rising along the array, e.g. a log sorted by score) into one comparison per example. If
 * fewer than k values reach the floor the scan is redone without it, so the result never depends
 * on the sample.
 */
export function topK(priority: Float64Array, k: number, eligible?: Uint8Array): Int32Array {
  checkCount(k);
  const n = priority.length;
  if (eligible && eligible.length < n) {
    throw new RangeError(`eligible holds ${eligible.length} flags, fewer than the ${n} priorities`);
  }
  const cap = Math.min(k, n);
  if (cap === 0) return new Int32Array(0);
  const heapI = new Int32Array(cap);
  const heapP = new Float64Array(cap);
  const floor = sampledFloor(priority, cap, eligible);
  let size = scan(priority, eligible, floor, heapI, heapP);
  if (size < cap && floor > -Infinity) size = scan(priority, eligible, -Infinity, heapI, heapP);

  // Pop the worst repeatedly, filling the result from the back: best first.
  const out = new Int32Array(size);
  for (let last = size - 1; last >= 0; last--) {
    out[last] = heapI[0]!;
    if (last > 0) siftDown(heapI, heapP, last, heapI[last]!, heapP[last]!);
  }
  return out;
}

const SAMPLE_SIZE = 4096;

/**
 * A value that at least k of the priorities very probably reach, or −Infinity. SAMPLE_SIZE evenly
 * spaced positions hit the k best about k · SAMPLE_SIZE / n times (eligible or not, the positions
 * are spread evenly); the floor is the eligible sample value at that rank plus four standard
 * deviations and a margin. Only worth it when k is well below n.
 */
function sampledFloor(priority: Float64Array, k: number, eligible: Uint8Array | undefined): number {
  const n = priority.length;
  if (n < 8 * SAMPLE_SIZE || k > n / 8) return -Infinity;
  const sample = new Float64Array(SAMPLE_SIZE);
  let m = 0;
  const stride = n / SAMPLE_SIZE;
  for (let j = 0; j < SAMPLE_SIZE; j++) {
    const i = Math.floor(j * stride);
    const p = priority[i]!;
    if (p === p && (eligible === undefined || eligible[i] !== 0)) sample[m++] = p;
  }
  const expected = (k * SAMPLE_SIZE) / n;
  const rank = Math.ceil(expected + 4 * Math.sqrt(expected) + 8);
  if (rank >= m) return -Infinity;
  const sorted = sample.subarray(0, m).sort();
  return sorted[m - 1 - rank]!;
}

/** One pass over the priorities into an empty heap, skipping values below `floor`. Returns the heap size. */
function scan(
  priority: Float64Array,
  eligible: Uint8Array | undefined,
  floor: number,
  heapI: Int32Array,
  heapP: Float64Array,
): number {
  const n = priority.length;
  const cap = heapI.length;
  let size = 0;
  let rootP = floor; // the value to beat: the floor until the heap is full, then its root
  for (let i = 0; i < n; i++) {
    const p = priority[i]!;
    if (size === cap) {
      // hot path: most examples lose to the root (NaN compares false too)
      if (!(p > rootP) || (eligible !== undefined && eligible[i] === 0)) continue;
      siftDown(heapI, heapP, size, i, p);
      rootP = heapP[0]!;
      continue;
    }
    if (!(p >= rootP) || (eligible !== undefined && eligible[i] === 0)) continue;
    // sift up: a newcomer has the highest index so far, so it ranks below any parent it ties with
    let pos = size++;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const pp = heapP[parent]!;
      if (p > pp) break;
      heapI[pos] = heapI[parent]!;
      heapP[pos] = pp;
      pos = parent;
    }
    heapI[pos] = i;
    heapP[pos] = p;
    if (size === cap) rootP = heapP[0]!;
  }
  return size;
}

/**
 * Puts (i, p) at the root of the min-heap of `size` entries and sifts it down. Order: lower
 * priority first, and at equal priority the higher index first (it ranks lower).
 */
function siftDown(heapI: Int32Array, heapP: Float64Array, size: number, i: number, p: number): void {
  let pos = 0;
  for (;;) {
    const left = 2 * pos + 1;
    if (left >= size) break;
    let child = left;
    let cp = heapP[left]!;
    let ci = heapI[left]!;
    const right = left + 1;
    if (right < size) {
      const rp = heapP[right]!;
      const ri = heapI[right]!;
      if (rp < cp || (rp === cp && ri > ci)) {
        child = right;
        cp = rp;
        ci = ri;
      }
    }
    if (!(cp < p || (cp === p && ci > i))) break;
    heapI[pos] = ci;
    heapP[pos] = cp;
    pos = child;
  }
  heapI[pos] = i;
  heapP[pos] = p;
}

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator, public domain): a tiny, fast PRNG with a 2^32
 * period, good enough for sampling and bootstrap, NOT for anything security related. Returns a
 * function yielding uint32 values.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A safe-integer seed folded into the 32-bit generator state (both halves count). */
function seedState(seed: number): number {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 0x100000000) >>> 0;
  return (lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
}

/** Uniform integer in [0, range) for 1 ≤ range ≤ 2^32, by rejection (no modulo bias). */
function uniformBelow(next: () => number, range: number): number {
  const limit = 0x100000000 - (0x100000000 % range);
  for (;;) {
    const u = next();
    if (u < limit) return u % range;
  }
}

/**
 * A deterministic sample of k distinct indexes out of 0..n−1 (only eligible ones when `eligible` is
 * given), returned in ascending order; all eligible indexes when k ≥ their count.
 *
 * Method: Robert Floyd's sampling algorithm (k draws, O(k) memory besides the eligible list) over
 * the eligible positions, driven by mulberry32 seeded with `seed` (a safe integer; the same
 * n, k, seed and eligible set always give the same sample). Changing n or the eligible set changes
 * the sample.
 */
export function seededSample(n: number, k: number, seed: number, eligible?: Uint8Array): Int32Array {
  checkCount(k);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  if (eligible && eligible.length < n)
    throw new RangeError(`eligible holds ${eligible.length} flags, fewer than n = ${n}`);
  const next = mulberry32(seedState(seed));

  let pool: Int32Array | null = null;
  let m = n;
  if (eligible) {
    m = 0;
    for (let i = 0; i < n; i++) if (eligible[i] !== 0) m++;
    pool = new Int32Array(m);
    for (let i = 0, j = 0; i < n; i++) if (eligible[i] !== 0) pool[j++] = i;
  }
  if (k >= m) {
    if (pool) return pool;
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return all;
  }

  const chosen = new Set<number>();
  for (let j = m - k; j < m; j++) {
    const t = uniformBelow(next, j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  const out = new Int32Array(k);
  let w = 0;
  for (const pos of chosen) out[w++] = pool ? pool[pos]! : pos;
  return out.sort();
}
