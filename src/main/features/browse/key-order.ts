/**
 * Every row in ascending order of a key (ties by row; rows without a key, NaN, last). Built once
 * per key and data version; a page of any filter is then a walk over it, not a sort.
 */
export function keyOrder(n: number, key: (row: number) => number): { order: Int32Array; keyed: number } {
  return packedKeyOrder(n, key) ?? comparedKeyOrder(n, key);
}

const float = new Float32Array(1);
const floatBits = new Uint32Array(float.buffer);
/** Rows the packed order can tell apart: a row number takes the low 21 bits of a double's 53. */
const ROW_SPAN = 2 ** 21;

/**
 * The order of keys that are all float32 values (model scores are): each key and its row packed
 * into one double that sorts as the pair does, so the typed array's own numeric sort orders them,
 * with no comparator called a million times. Null where a key is no float32 value or the rows too
 * many: the caller sorts with a comparator instead.
 */
export function packedKeyOrder(n: number, key: (row: number) => number): { order: Int32Array; keyed: number } | null {
  if (n > ROW_SPAN) return null;
  const packed = new Float64Array(n);
  const missing: number[] = [];
  let keyed = 0;
  for (let r = 0; r < n; r++) {
    const v = key(r);
    if (Number.isNaN(v)) {
      missing.push(r);
      continue;
    }
    // -0 and 0 are equal keys: both tie by row.
    float[0] = v === 0 ? 0 : v;
    if (float[0] !== v) return null;
    const bits = floatBits[0]!;
    // The float's bits as an unsigned integer in the float's order: negatives flipped whole,
    // the sign bit set on the rest.
    const sortable = bits >= 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
    packed[keyed++] = sortable * ROW_SPAN + r;
  }
  const sorted = packed.subarray(0, keyed).sort();
  const order = new Int32Array(n);
  for (let i = 0; i < keyed; i++) order[i] = sorted[i]! % ROW_SPAN;
  order.set(missing, keyed);
  return { order, keyed };
}

/** Any keys (times in epoch ms, scores computed in double) sorted with a comparator. */
export function comparedKeyOrder(n: number, key: (row: number) => number): { order: Int32Array; keyed: number } {
  const values = new Float64Array(n);
  let keyed = 0;
  for (let r = 0; r < n; r++) {
    values[r] = key(r);
    if (!Number.isNaN(values[r]!)) keyed++;
  }
  const rows = new Int32Array(keyed);
  const missing = new Int32Array(n - keyed);
  for (let r = 0, a = 0, b = 0; r < n; r++) {
    if (Number.isNaN(values[r]!)) missing[b++] = r;
    else rows[a++] = r;
  }
  // A comparator sort: V8's TimSort runs through keys that come nearly sorted (times in log
  // order) in linear time.
  rows.sort((a, b) => values[a]! - values[b]! || a - b);
  const order = new Int32Array(n);
  order.set(rows, 0);
  order.set(missing, keyed);
  return { order, keyed };
}

/**
 * One page of the rows `keep` marks, in key order (descending: largest first, ties still by row,
 * rows without a key last), after skipping `offset` of them.
 */
export function pageByKey(
  sorted: { order: Int32Array; keyed: number },
  key: (row: number) => number,
  keep: Uint8Array,
  descending: boolean,
  offset: number,
  limit: number,
): Int32Array {
  const out: number[] = [];
  let skip = offset;
  const take = (r: number): boolean => {
    if (!keep[r]) return false;
    if (skip > 0) {
      skip--;
      return false;
    }
    out.push(r);
    return out.length >= limit;
  };
  const { order, keyed } = sorted;
  if (!descending) {
    for (let i = 0; i < order.length; i++) if (take(order[i]!)) break;
    return Int32Array.from(out);
  }
  // Backwards through the keyed rows, a run of equal keys at a time walked forwards (ties by row).
  let done = false;
  for (let end = keyed - 1; end >= 0 && !done;) {
    const k = key(order[end]!);
    let start = end;
    while (start > 0 && key(order[start - 1]!) === k) start--;
    for (let i = start; i <= end && !done; i++) done = take(order[i]!);
    end = start - 1;
  }
  for (let i = keyed; i < order.length && !done; i++) done = take(order[i]!);
  return Int32Array.from(out);
}
