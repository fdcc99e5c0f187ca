/** 10^k for k from 0 to 30, exact doubles up to 10^22. */
const POW10 = Array.from({ length: 31 }, (_, k) => 10 ** k);
const ZEROS = Array.from({ length: 24 }, (_, i) => '0'.repeat(i));

/** floor(log10(a)) for a > 0: comparisons for the usual magnitudes of features, else log10. */
function exponent(a: number): number {
  if (a >= 1) return a < 10 ? 0 : a < 100 ? 1 : Math.floor(Math.log10(a));
  if (a >= 0.1) return -1;
  return a >= 0.01 ? -2 : Math.floor(Math.log10(a));
}

/** The last shortDecimal: |v| = m × 10^−k, m a positive integer of at most 9 digits, no trailing zeros when k > 0. */
export const decimalParts = { m: 0, k: 0 };

/**
 * The shortest of 7, 8 or 9 significant digits that reads back as the float32 |v| (finite, not
 * zero), into decimalParts; false where the magnitude is too far out (the caller falls back to
 * toPrecision). Integer arithmetic, not toPrecision: this is the hot loop of feature exports.
 */
export function shortDecimal(v: number): boolean {
  const a = v < 0 ? -v : v;
  const e = exponent(a);
  if (e < -8 || e > 14) return false;
  for (let digits = 7; digits <= 9; digits++) {
    let k = digits - 1 - e;
    // m / 10^k is one correctly rounded division of exact doubles: the same double the decimal
    // text would parse to, so the round trip is checked without building or parsing the text.
    const scale = POW10[k >= 0 ? k : -k]!;
    const m = k >= 0 ? Math.round(a * scale) : Math.round(a / scale);
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
