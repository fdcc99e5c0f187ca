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
 * loses the tie anyway, so the hot path is one comparison per example.
 */
export function topK(priority: Float64Array, k: number, eligible?: Uint8Array): Int32Array {
  checkCount(k);
  const n = priority.length;
  if (eligible && eligible.length < n) {
    throw new RangeError(`eligible holds ${eligible.length} flags, fewer than the ${n} priorities`);
  }
  const cap = Math.min(k, n);
  const heap = new Int32Array(cap);
  let size = 0;

  // a ranks below b: lower priority, or equal priority and higher index.
  const worse = (a: number, b: number): boolean => {
    const pa = priority[a]!;
    const pb = priority[b]!;
    return pa < pb || (pa === pb && a > b);
  };
  const siftDown = (start: number): void => {
    let pos = start;
    const item = heap[pos]!;
    for (;;) {
      const left = 2 * pos + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      if (right < size && worse(heap[right]!, heap[left]!)) child = right;
      const c = heap[child]!;
      if (!worse(c, item)) break;
      heap[pos] = c;
      pos = child;
    }
    heap[pos] = item;
  };

  if (cap > 0) {
    for (let i = 0; i < n; i++) {
      if (eligible && eligible[i] === 0) continue;
      const p = priority[i]!;
      if (p !== p) continue; // NaN
      if (size < cap) {
        let pos = size++;
        while (pos > 0) {
          const parent = (pos - 1) >> 1;
          const q = heap[parent]!;
          if (!worse(i, q)) break;
          heap[pos] = q;
          pos = parent;
        }
        heap[pos] = i;
      } else if (p > priority[heap[0]!]!) {
        heap[0] = i;
        siftDown(0);
      }
    }
  }

  // Pop the worst repeatedly, filling the result from the back: best first.
  const out = new Int32Array(size);
  for (let pos = size - 1; pos >= 0; pos--) {
    out[pos] = heap[0]!;
    size--;
    if (size > 0) {
      heap[0] = heap[size]!;
      siftDown(0);
    }
  }
  return out;
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
  if (eligible && eligible.length < n) throw new RangeError(`eligible holds ${eligible.length} flags, fewer than n = ${n}`);
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
