import { hashString } from '../../domain/hash';
import { kthSmallest } from '../../domain/sorted';
import type { SplitPolicy } from './contract';

/** Why a split cannot be made; the caller names the file and rows. */
export class SplitError extends Error {}

export interface SplitRows {
  ids: readonly string[];
  /** Epoch ms, NaN when the example has none. */
  ts: Float64Array;
  /** The group key of each row when splitting group-aware; null = the row lacks it. */
  groups?: readonly (string | null)[];
}

const DEFAULT_FRACTIONS: [number, number, number] = [0.8, 0.1, 0.1];

function iso(t: number): string {
  return new Date(t).toISOString();
}

/** The policy used when none is given: by time when every row has a timestamp. */
export function defaultPolicy(rows: SplitRows): SplitPolicy {
  const missing = countMissingTs(rows.ts);
  if (missing > 0) {
    throw new SplitError(
      `${missing} of ${rows.ts.length} examples have no timestamp, so they cannot be split by time: ` +
        `ask for a seeded random split or no split`,
    );
  }
  return { kind: 'time-fractions', fractions: DEFAULT_FRACTIONS };
}

function countMissingTs(ts: Float64Array): number {
  let missing = 0;
  for (let i = 0; i < ts.length; i++) if (Number.isNaN(ts[i]!)) missing++;
  return missing;
}

function normalise(fractions: readonly [number, number, number]): [number, number, number] {
  const sum = fractions[0] + fractions[1] + fractions[2];
  if (!(sum > 0)) throw new SplitError('split fractions must add up to more than 0');
  return [fractions[0] / sum, fractions[1] / sum, fractions[2] / sum];
}

/** Units that move together: each row alone, or every row of a group. */
interface Units {
  unitOf: Int32Array;
  keys: readonly string[];
  ts: Float64Array; // earliest timestamp of the unit (read only)
  size: Int32Array;
  /** Units of several rows (a group each); else each unit is one row. */
  grouped: boolean;
}

function units(rows: SplitRows): Units {
  const n = rows.ids.length;
  const unitOf = new Int32Array(n);
  if (!rows.groups) {
    for (let i = 0; i < n; i++) unitOf[i] = i;
    return {
      unitOf,
      keys: rows.ids,
      ts: rows.ts,
      size: new Int32Array(n).fill(1),
      grouped: false,
    };
  }
  const missing: string[] = [];
  const index = new Map<string, number>();
  const keys: string[] = [];
  const ts: number[] = [];
  const size: number[] = [];
  for (let i = 0; i < n; i++) {
    const g = rows.groups[i];
    if (g === null || g === undefined) {
      missing.push(rows.ids[i]!);
      continue;
    }
    let u = index.get(g);
    if (u === undefined) {
      u = keys.length;
      index.set(g, u);
      keys.push(g);
      ts.push(rows.ts[i]!);
      size.push(0);
    }
    unitOf[i] = u;
    size[u]!++;
    const t = rows.ts[i]!;
    if (!Number.isNaN(t) && !(t >= ts[u]!)) ts[u] = t;
  }
  if (missing.length > 0) {
    throw new SplitError(
      `${missing.length} examples lack the group key (first: ${missing.slice(0, 5).join(', ')}): ` +
        `every row needs it so a group never spans two splits`,
    );
  }
  return { unitOf, keys, ts: Float64Array.from(ts), size: Int32Array.from(size), grouped: true };
}

function byTime(u: Units, policy: Extract<SplitPolicy, { kind: 'time-cutoffs' | 'time-fractions' }>): Uint8Array {
  const m = u.keys.length;
  const missing = countMissingTs(u.ts);
  if (missing > 0) throw new SplitError(`${missing} examples have no timestamp, so they cannot be split by time`);
  const out = new Uint8Array(m);
  if (policy.kind === 'time-cutoffs') {
    const [c1, c2] = policy.cutoffs;
    if (!(c1 < c2)) throw new SplitError(`the first cut-off (${iso(c1)}) must come before the second (${iso(c2)})`);
    let min = Infinity;
    let max = -Infinity;
    for (const t of u.ts) {
      if (t < min) min = t;
      if (t > max) max = t;
    }
    if (!(c1 > min))
      throw new SplitError(`cut-off ${iso(c1)} is not after the oldest example (${iso(min)}): train would be empty`);
    if (!(c2 <= max))
      throw new SplitError(`cut-off ${iso(c2)} is after the newest example (${iso(max)}): test would be empty`);
    for (let i = 0; i < m; i++) out[i] = u.ts[i]! < c1 ? 0 : u.ts[i]! < c2 ? 1 : 2;
    return out;
  }
  const [f0, f1] = normalise(policy.fractions);
  const splitAt = (seen: number, total: number) => {
    const at = seen / total; // share of rows before this unit
    return at < f0 ? 0 : at < f0 + f1 ? 1 : 2;
  };
  if (!u.grouped) return byTimeRank(u, splitAt);
  // Oldest first; ties broken by key so the order never depends on how rows were read.
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => u.ts[a]! - u.ts[b]! || byKey(u, a, b));
  let total = 0;
  for (const s of u.size) total += s;
  let seen = 0;
  for (const i of order) {
    out[i] = splitAt(seen, total);
    seen += u.size[i]!;
  }
  return out;
}

function byKey(u: Units, a: number, b: number): number {
  return u.keys[a]! < u.keys[b]! ? -1 : u.keys[a]! > u.keys[b]! ? 1 : 0;
}

/**
 * byTime when every unit is one row: the split follows from a row's rank in (time, key) order.
 * The times at the ranks where the splits change are found by selection, not by sorting them
 * all; only rows at exactly those times need their keys compared. Same result as the full sort.
 */
function byTimeRank(u: Units, splitAt: (seen: number, total: number) => number): Uint8Array {
  const m = u.ts.length;
  // The first rank of splits 1 and 2 (m: the split is empty), and the time at it.
  const firstRank = (split: number) => {
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (splitAt(mid, m) < split) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const r1 = firstRank(1);
  const r2 = firstRank(2);
  const scratch = Float64Array.from(u.ts);
  const e1 = r1 < m ? kthSmallest(scratch, r1) : Infinity;
  const e2 = r2 < m ? kthSmallest(scratch, r2, r1) : Infinity;
  // Rows before a time rank before it, rows after it after it.
  const out = new Uint8Array(m);
  const tied: [number[], number[]] = [[], []];
  let below1 = 0;
  let below2 = 0;
  for (let i = 0; i < m; i++) {
    const t = u.ts[i]!;
    if (t < e1) out[i] = 0;
    else if (t === e1) tied[0].push(i);
    else if (t < e2) out[i] = 1;
    else if (t === e2) tied[1].push(i);
    else out[i] = 2;
    if (t < e1) below1++;
    if (t < e2) below2++;
  }
  // Rows at an edge time take their ranks in key order (then row order, as a stable sort would).
  [below1, below2].forEach((before, e) => {
    const rows = tied[e]!.sort((a, b) => byKey(u, a, b) || a - b);
    rows.forEach((row, k) => (out[row] = splitAt(before + k, m)));
  });
  return out;
}

function byHash(u: Units, policy: Extract<SplitPolicy, { kind: 'random' }>): Uint8Array {
  const [f0, f1] = normalise(policy.fractions);
  const out = new Uint8Array(u.keys.length);
  for (let i = 0; i < u.keys.length; i++) {
    const x = hashString(u.keys[i]!, policy.seed) / 2 ** 53;
    out[i] = x < f0 ? 0 : x < f0 + f1 ? 1 : 2;
  }
  return out;
}

/**
 * The split of each row: 0 train, 1 validation, 2 test. With groups, a whole group takes the split
 * of its earliest example (time policies) or of its key's hash (random), so it never spans two.
 */
export function assignSplits(rows: SplitRows, policy: SplitPolicy): Uint8Array {
  const n = rows.ids.length;
  if (policy.kind === 'none') return new Uint8Array(n);
  const u = units(rows);
  const perUnit = policy.kind === 'random' ? byHash(u, policy) : byTime(u, policy);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = perUnit[u.unitOf[i]!]!;
  return out;
}
