/**
 * Picks one page of matched rows in sort order without sorting them all: a bounded heap keeps the
 * best `offset + limit` rows. Deep pages sort the whole match once (the caller caches the order).
 * Missing keys (NaN) come last in either direction; ties keep log order.
 */
export function pageOrder(
  matched: Int32Array,
  key: ((row: number) => number) | null,
  descending: boolean,
  offset: number,
  limit: number,
): Int32Array {
  const end = Math.min(matched.length, offset + limit);
  if (offset >= end) return new Int32Array(0);
  if (key === null) {
    if (!descending) return matched.slice(offset, end);
    const out = new Int32Array(end - offset);
    for (let i = 0; i < out.length; i++) out[i] = matched[matched.length - 1 - offset - i]!;
    return out;
  }
  const sign = descending ? -1 : 1;
  // Comparable value: smaller comes first; NaN maps to +Infinity so it sorts last.
  const value = (row: number) => {
    const k = key(row);
    return Number.isNaN(k) ? Infinity : sign * k;
  };
  const before = (a: number, b: number, va: number, vb: number) => va < vb || (va === vb && a < b);
  if (end > 20_000) return fullOrder(matched, value, before).slice(offset, end);
  // Max-heap of the `end` best rows seen so far: its root is the worst of them.
  const heap = new Int32Array(end);
  const heapValue = new Float64Array(end);
  let size = 0;
  const worse = (i: number, j: number) => before(heap[j]!, heap[i]!, heapValue[j]!, heapValue[i]!);
  const swap = (i: number, j: number) => {
    const r = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = r;
    const v = heapValue[i]!;
    heapValue[i] = heapValue[j]!;
    heapValue[j] = v;
  };
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let top = i;
      if (l < size && worse(l, top)) top = l;
      if (r < size && worse(r, top)) top = r;
      if (top === i) return;
      swap(i, top);
      i = top;
    }
  };
  for (let m = 0; m < matched.length; m++) {
    const row = matched[m]!;
    const v = value(row);
    if (size < end) {
      let i = size++;
      heap[i] = row;
      heapValue[i] = v;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(i, parent)) break;
        swap(i, parent);
        i = parent;
      }
    } else if (before(row, heap[0]!, v, heapValue[0]!)) {
      heap[0] = row;
      heapValue[0] = v;
      siftDown(0);
    }
  }
  const best = Array.from({ length: size }, (_, i) => i).sort((i, j) =>
    before(heap[i]!, heap[j]!, heapValue[i]!, heapValue[j]!) ? -1 : 1,
  );
  return Int32Array.from(best.slice(offset, end).map((i) => heap[i]!));
}

/** Every matched row in order. */
export function fullOrder(
  matched: Int32Array,
  value: (row: number) => number,
  before: (a: number, b: number, va: number, vb: number) => boolean,
): Int32Array {
  const values = new Float64Array(matched.length);
  for (let i = 0; i < matched.length; i++) values[i] = value(matched[i]!);
  const idx = new Uint32Array(matched.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  idx.sort((i, j) => (before(matched[i]!, matched[j]!, values[i]!, values[j]!) ? -1 : 1));
  const out = new Int32Array(matched.length);
  for (let i = 0; i < idx.length; i++) out[i] = matched[idx[i]!]!;
  return out;
}
