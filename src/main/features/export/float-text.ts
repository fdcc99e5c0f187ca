/** 10^k for k from 0 to 30, exact doubles up to 10^22. */
const POW10 = Float64Array.from({ length: 31 }, (_, k) => 10 ** k);
const ZEROS = Array.from({ length: 24 }, (_, i) => '0'.repeat(i));

// floor(log10(a)) by a float32's biased binary exponent: E_LOW of its binade, plus one from
// E_NEXT on. A table and one comparison: features are random in magnitude, and the comparisons
// and log10 that found it before cost more in mispredicted branches than the rest of the digits.
const E_LOW = new Int32Array(256);
const E_NEXT = new Float64Array(256);
for (let x = 1; x < 255; x++) {
  const low = 2 ** (x - 127);
  let e = Math.floor(Math.log10(low));
  if (10 ** (e + 1) <= low) e++;
  if (10 ** e > low) e--;
  E_LOW[x] = e;
  E_NEXT[x] = 10 ** (e + 1);
}
const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** The last shortDecimal: |v| = m × 10^−k, m a positive integer of at most 9 digits, no trailing zeros when k > 0. */
export const decimalParts = { m: 0, k: 0 };

/**
 * The shortest of 7, 8 or 9 significant digits that reads back as the float32 |v| (finite, not
 * zero), into decimalParts; false where the magnitude is too far out (the caller falls back to
 * toPrecision). Integer arithmetic, not toPrecision: this is the hot loop of feature exports.
 */
export function shortDecimal(v: number): boolean {
  scratch[0] = v;
  const x = (scratchBits[0]! >>> 23) & 0xff;
  const a = Math.abs(v);
  const e = E_LOW[x]! + +(a >= E_NEXT[x]!);
  if (e < -8 || e > 14) return false;
  for (let digits = 7; digits <= 9; digits++) {
    let k = digits - 1 - e;
    // m / 10^k is one correctly rounded division of exact doubles: the same double the decimal
    // text would parse to, so the round trip is checked without building or parsing the text.
    // floor(x + 0.5) is Math.round here: x >= 10^6, where adding 0.5 is exact.
    const scale = POW10[k >= 0 ? k : -k]!;
    const m = k >= 0 ? Math.floor(a * scale + 0.5) : Math.floor(a / scale + 0.5);
    const back = k >= 0 ? m / scale : m * scale;
    if (Math.fround(back) !== a) continue;
    // m < 2^31 (at most 9 digits, or 10^9 after rounding up): integer arithmetic from here.
    let mi = m | 0;
    while (k > 0 && mi % 10 === 0) {
      mi = (mi / 10) | 0;
      k--;
    }
    decimalParts.m = mi;
    decimalParts.k = k;
    return true;
  }
  return false;
}

/** A float32 as the shortest decimal (of 7 to 9 digits) that reads back as the same float32. */
export function f32(v: number): string {
  if (!Number.isFinite(v)) return 'null';
  if (v === 0 || (Number.isInteger(v) && Math.abs(v) < 1e7)) return String(v);
  if (!shortDecimal(v)) return String(+v.toPrecision(9));
  const { m, k } = decimalParts;
  const digits = String(m);
  const n = digits.length;
  let text: string;
  if (k <= 0) text = `${digits}${ZEROS[-k]}`;
  else if (n > k) text = `${digits.slice(0, n - k)}.${digits.slice(n - k)}`;
  else text = `0.${ZEROS[k - n]}${digits}`;
  return v < 0 ? `-${text}` : text;
}
