/**
 * Drift that says what moved: the traffic (features, metadata), a run's scores, or the labels'
 * class balance (prior shift), so an alert can be pinned on the model that moved rather than on
 * every run alike.
 */
import { PSI_EPSILON, type DriftLevel } from './drift';

/** Categories below this share in both windows are pooled into one, so sampling noise over many rare values (ids) does not read as drift. */
export const RARE_CATEGORY_SHARE = 0.01;

/**
 * PSI of a categorical quantity: Σ (c − r)·ln(c / r) over the categories (codes 0..k − 1; a missing
 * value is a category of its own, code −1), each proportion raised to PSI_EPSILON when below it.
 * Categories under `minShare` on both sides are pooled into one first. Null when either side is empty.
 */
export function categoricalPsi(
  reference: Int32Array,
  current: Int32Array,
  k: number,
  minShare = RARE_CATEGORY_SHARE,
): number | null {
  if (reference.length === 0 || current.length === 0) return null;
  const count = (codes: Int32Array) => {
    const out = new Float64Array(k + 1);
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i]!;
      if (c >= k) throw new RangeError(`category ${c} outside 0..${k - 1}`);
      out[c < 0 ? k : c]!++;
    }
    return out;
  };
  const r = count(reference);
  const c = count(current);
  let sum = 0;
  let rareR = 0;
  let rareC = 0;
  const term = (a: number, b: number) => {
    const p = Math.max(a / reference.length, PSI_EPSILON);
    const q = Math.max(b / current.length, PSI_EPSILON);
    return (q - p) * Math.log(q / p);
  };
  for (let b = 0; b <= k; b++) {
    if (r[b] === 0 && c[b] === 0) continue;
    if (r[b]! / reference.length < minShare && c[b]! / current.length < minShare) {
      rareR += r[b]!;
      rareC += c[b]!;
      continue;
    }
    sum += term(r[b]!, c[b]!);
  }
  if (rareR > 0 || rareC > 0) sum += term(rareR, rareC);
  return sum;
}

export interface Mover {
  /** "feature:f3", "metadata:channel". */
  quantity: string;
  psi: number | null;
  level: DriftLevel;
}

export interface RunScoreShift {
  run: string;
  /** The largest PSI over the run's class scores between the windows. */
  psi: number | null;
  level: DriftLevel;
}

export interface PriorShift {
  /** The class whose rates are reported (binary: the positive class). */
  className: string;
  /** Labeled rate of the class in each window; null without labels there. */
  labeledReference: number | null;
  labeledCurrent: number | null;
  /** The run whose predictions are quoted and its predicted rate of the class in the current window. */
  run: string | null;
  predictedCurrent: number | null;
}

const short = (q: string) => q.replace(/^(feature|metadata|score):/, '');
const pct = (x: number) => `${Math.round(100 * x)}%`;

/** The biggest movers, largest PSI first (null PSI last), at most `top`. */
export function topMovers<T extends { psi: number | null }>(rows: readonly T[], top = 10): T[] {
  return [...rows].sort((a, b) => (b.psi ?? -1) - (a.psi ?? -1)).slice(0, top);
}

/**
 * One sentence on what moved: "Traffic moved (top: channel, f3); v2's scores moved more than v1's;
 * the labeled spam rate rose from 18% to 31% while v2 predicts 12%".
 */
export function driftSummary(
  movers: readonly Mover[],
  runs: readonly RunScoreShift[],
  prior: PriorShift | null,
): string {
  const parts: string[] = [];
  const moved = movers.filter((m) => m.level !== 'ok');
  if (moved.length > 0)
    parts.push(
      `Traffic moved (top: ${moved
        .slice(0, 3)
        .map((m) => short(m.quantity))
        .join(', ')})`,
    );
  else if (movers.length > 0)
    parts.push(`Traffic is stable (largest PSI ${(movers[0]!.psi ?? 0).toFixed(2)}, ${short(movers[0]!.quantity)})`);
  else parts.push('No feature or metadata to compare traffic on');

  const ranked = [...runs].sort((a, b) => (b.psi ?? -1) - (a.psi ?? -1));
  const movedRuns = ranked.filter((r) => r.level !== 'ok');
  if (ranked.length === 1) {
    const r = ranked[0]!;
    parts.push(`${r.run}'s scores ${r.level === 'ok' ? 'are stable' : 'moved'} (PSI ${(r.psi ?? 0).toFixed(2)})`);
  } else if (movedRuns.length === 0) parts.push("no run's scores moved");
  else {
    const [a, b] = ranked as [RunScoreShift, RunScoreShift];
    parts.push(
      `${a.run}'s scores moved more than ${b.run}'s (PSI ${(a.psi ?? 0).toFixed(2)} vs ${(b.psi ?? 0).toFixed(2)})`,
    );
  }

  if (!prior || prior.labeledReference === null || prior.labeledCurrent === null) {
    parts.push('no labels in both windows to check the class balance');
  } else {
    const { labeledReference: a, labeledCurrent: b } = prior;
    const verb = Math.abs(b - a) < 0.02 ? 'held at' : b > a ? 'rose from' : 'fell from';
    const rate =
      verb === 'held at'
        ? `the labeled ${prior.className} rate held at ${pct(b)}`
        : `the labeled ${prior.className} rate ${verb} ${pct(a)} to ${pct(b)}`;
    parts.push(
      prior.run && prior.predictedCurrent !== null
        ? `${rate} while ${prior.run} predicts ${pct(prior.predictedCurrent)}`
        : rate,
    );
  }
  return parts.join('; ');
}
