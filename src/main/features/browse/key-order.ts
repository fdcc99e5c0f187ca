/**
 * Every row in ascending order of a key (ties by row; rows without a key, NaN, last). Built once
 * per key and data version; a page of any filter is then a walk over it, not a sort.
 */
export function keyOrder(n: number, key: (row: number) => number): { order: Int32Array; keyed: number } {
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
