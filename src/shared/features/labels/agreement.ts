/**
 * Inter-annotator agreement on nominal labels. Values are strings: a single label id, or for
 * multilabel tasks a whole label set as one value (labelSetKey in ./events).
 */

/**
 * Cohen's kappa for two annotators over the items both labeled: pairs[i] = [a's value, b's value].
 *
 *   p_o = share of items where a and b agree
 *   p_e = Σ_k p_a(k) · p_b(k)            (chance agreement from each annotator's own label shares)
 *   κ   = (p_o − p_e) / (1 − p_e)
 *
 * Returns null when there are fewer than 2 items (nothing to measure) or when p_e = 1: both
 * annotators gave one and the same label to every item, so κ is 0/0 and undefined (they agree
 * perfectly, but the data cannot tell that apart from chance).
 *
 * Hand-checked example (50 items; a: yes on 25, b: yes on 30):
 *                b yes   b no
 *       a yes      20      5
 *       a no       10     15
 *   p_o = (20 + 15) / 50 = 0.70
 *   p_e = 0.5 · 0.6 + 0.5 · 0.4 = 0.50
 *   κ   = (0.70 − 0.50) / (1 − 0.50) = 0.40
 */
export function cohensKappa(pairs: readonly (readonly [string, string])[]): number | null {
  const n = pairs.length;
  if (n < 2) return null;
  const countA = new Map<string, number>();
  const countB = new Map<string, number>();
  let agreed = 0;
  for (const [a, b] of pairs) {
    if (a === b) agreed++;
    countA.set(a, (countA.get(a) ?? 0) + 1);
    countB.set(b, (countB.get(b) ?? 0) + 1);
  }
  // Chance agreement in whole counts (Σ n_a(k)·n_b(k) out of n²), so p_e = 1 is tested exactly.
  let chance = 0;
  for (const [k, ca] of countA) chance += ca * (countB.get(k) ?? 0);
  if (chance === n * n) return null;
  const po = agreed / n;
  const pe = chance / (n * n);
  return (po - pe) / (1 - pe);
}

/**
 * Krippendorff's alpha, nominal metric, any number of coders, missing values allowed.
 * units[u] = the values the coders gave unit u (missing ones simply left out). Units with fewer than
 * 2 values cannot be paired and are skipped, as in Krippendorff's definition.
 *
 * With m_u values in unit u, n_uc of them equal to c, n_c = Σ_u n_uc and n = Σ_c n_c (pairable
 * values only):
 *   D_o ∝ Σ_u (m_u² − Σ_c n_uc²) / (m_u − 1)          (observed disagreeing pairs, coincidence-weighted)
 *   D_e ∝ (n² − Σ_c n_c²) / (n − 1)                    (expected disagreeing pairs)
 *   α   = 1 − D_o / D_e
 *
 * Returns null when no unit has 2 values, or when every pairable value is the same (D_e = 0:
 * α is undefined for data without variation).
 *
 * Check: Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability", the 4 coders × 12 units
 * example with missing values, gives nominal α = 0.743 (see agreement.test.ts).
 */
export function krippendorffAlpha(units: readonly (readonly string[])[]): number | null {
  let n = 0;
  let observed = 0;
  const totals = new Map<string, number>();
  for (const unit of units) {
    const m = unit.length;
    if (m < 2) continue;
    const counts = new Map<string, number>();
    for (const v of unit) counts.set(v, (counts.get(v) ?? 0) + 1);
    let same = 0;
    for (const [v, c] of counts) {
      same += c * c;
      totals.set(v, (totals.get(v) ?? 0) + c);
    }
    observed += (m * m - same) / (m - 1);
    n += m;
  }
  if (n < 2) return null;
  let sameTotal = 0;
  for (const c of totals.values()) sameTotal += c * c;
  const expectedPairs = n * n - sameTotal;
  if (expectedPairs === 0) return null;
  return 1 - ((n - 1) * observed) / expectedPairs;
}

export interface PairKappa {
  annotatorA: number;
  annotatorB: number;
  /** Items both annotators labeled. */
  items: number;
  kappa: number | null;
}

/**
 * Cohen's kappa for every pair of annotators who labeled at least one item in common.
 * items[i] = annotator id → value for item i (agreementValues in ./events builds one per example).
 * Pairs come ordered by (annotatorA, annotatorB), annotatorA < annotatorB.
 */
export function pairwiseKappa(items: Iterable<ReadonlyMap<number, string>>): PairKappa[] {
  const pairs = new Map<string, { a: number; b: number; values: [string, string][] }>();
  for (const item of items) {
    const annotators = [...item.keys()].sort((x, y) => x - y);
    for (let i = 0; i < annotators.length; i++) {
      for (let j = i + 1; j < annotators.length; j++) {
        const a = annotators[i]!;
        const b = annotators[j]!;
        const key = `${a}:${b}`;
        let pair = pairs.get(key);
        if (pair === undefined) {
          pair = { a, b, values: [] };
          pairs.set(key, pair);
        }
        pair.values.push([item.get(a)!, item.get(b)!]);
      }
    }
  }
  return [...pairs.values()]
    .sort((x, y) => x.a - y.a || x.b - y.b)
    .map((p) => ({ annotatorA: p.a, annotatorB: p.b, items: p.values.length, kappa: cohensKappa(p.values) }));
}

/** Krippendorff's alpha over items given as annotator id → value maps. */
export function alphaOverItems(items: Iterable<ReadonlyMap<number, string>>): number | null {
  const units: string[][] = [];
  for (const item of items) units.push([...item.values()]);
  return krippendorffAlpha(units);
}
