/**
 * The quality gate: a non-inferiority test of a challenger against its champion on the same examples.
 *
 * The challenger passes a check only when the evidence says it is NOT worse than the champion by more
 * than the margin: the lower bound of the 95% paired bootstrap interval of challenger − champion is
 * ≥ −margin (for a loss, lower is better: the upper bound is ≤ +margin). An interval that crosses the
 * margin fails, however wide it is: a wide interval is no evidence of being as good. Too few examples
 * to resample are "insufficient evidence", never a pass.
 *
 * Checks: the primary metric, then a guard per class on its recall (its own margin), so a challenger
 * cannot buy a better average by giving up a class.
 */
import { higherIsBetter, type ComparedMetric } from './bootstrap';
import { checkRun, predictions } from './metrics';
import { pairedDifferences, type Difference } from './paired-differences';

export type Verdict = 'pass' | 'fail' | 'insufficient';

/** Fewer common examples than this: the gate says "insufficient evidence". */
export const GATE_MIN_EXAMPLES = 30;
/** A class with fewer examples than this: its recall guard says "insufficient evidence". */
export const GATE_MIN_CLASS_EXAMPLES = 5;
export const DEFAULT_GATE_MARGIN = 0.01;
export const DEFAULT_RECALL_MARGIN = 0.05;

export interface GateCheck {
  /** 'primary' is the compared metric; 'recall' a per-class guard; 'slice' the metric on a pinned slice. */
  kind: 'primary' | 'recall' | 'slice';
  /** The metric, the class name of a recall guard, or the slice ("channel=email"). */
  name: string;
  /** Examples the check rests on (all common examples; a guard: those of its class). */
  n: number;
  champion: number | null;
  challenger: number | null;
  /** challenger − champion. */
  diff: number | null;
  lo: number | null;
  hi: number | null;
  margin: number;
  higherIsBetter: boolean;
  verdict: Verdict;
  /** Why, in words: what the interval shows against the margin, or what evidence is missing. */
  reason: string;
}

export interface McNemar {
  /** Examples the champion gets right and the challenger wrong. */
  championOnly: number;
  /** Examples the challenger gets right and the champion wrong. */
  challengerOnly: number;
  /** Two-sided exact (binomial) p-value of "both runs are equally accurate"; 1 when no discordant pair. */
  pValue: number;
}

export interface GateResult {
  verdict: Verdict;
  checks: GateCheck[];
  mcnemar: McNemar;
  /** Every difference challenger − champion with its interval, from the same resamples as the checks. */
  differences: Difference[];
}

export interface GateOptions {
  metric: ComparedMetric;
  margin: number;
  recallMargin: number;
  samples: number;
  seed: number;
  /** Class names, in class order, for the guards' names and messages. */
  labels: readonly string[];
}

const fmt = (x: number) => (Object.is(Math.round(x * 1000) / 1000, -0) ? '0.000' : x.toFixed(3));

/**
 * Non-inferiority of one interval: pass when lo ≥ −margin (higher is better) or hi ≤ +margin (a
 * loss); insufficient without an interval.
 */
export function nonInferiority(lo: number | null, hi: number | null, margin: number, higher: boolean): Verdict {
  if (!(margin >= 0 && Number.isFinite(margin))) throw new RangeError(`margin must be finite and ≥ 0, got ${margin}`);
  if (lo === null || hi === null) return 'insufficient';
  return higher ? (lo >= -margin ? 'pass' : 'fail') : hi <= margin ? 'pass' : 'fail';
}

export function intervalReason(c: Pick<GateCheck, 'lo' | 'hi' | 'margin' | 'higherIsBetter' | 'verdict'>): string {
  const ci = `95% CI ${fmt(c.lo!)} to ${fmt(c.hi!)}`;
  if (c.higherIsBetter) {
    return c.verdict === 'pass'
      ? `${ci}: the lower bound is at or above −${c.margin}`
      : `${ci}: the lower bound is below −${c.margin}, so the challenger may be worse by more than the margin`;
  }
  return c.verdict === 'pass'
    ? `${ci}: the upper bound is at or below +${c.margin}`
    : `${ci}: the upper bound is above +${c.margin}, so the challenger's loss may be higher by more than the margin`;
}

/** Overall verdict: any failed check fails; otherwise any check without enough evidence makes it insufficient. */
export function combineVerdicts(checks: readonly { verdict: Verdict }[]): Verdict {
  if (checks.some((c) => c.verdict === 'fail')) return 'fail';
  if (checks.some((c) => c.verdict === 'insufficient')) return 'insufficient';
  return 'pass';
}

/** Two-sided exact McNemar p-value for b and c discordant pairs: 2·P(X ≤ min(b, c)), X ~ Bin(b + c, ½), capped at 1. */
export function mcnemarExactP(b: number, c: number): number {
  const m = b + c;
  if (m === 0) return 1;
  const low = Math.min(b, c);
  // log-space pmf, so thousands of discordant pairs neither overflow nor underflow to a wrong 0 sum
  let logPmf = -m * Math.LN2;
  let sum = Math.exp(logPmf);
  for (let i = 0; i < low; i++) {
    logPmf += Math.log((m - i) / (i + 1));
    sum += Math.exp(logPmf);
  }
  return Math.min(1, 2 * sum);
}

/** McNemar's exact test of paired accuracy. */
export function mcnemar(
  truth: Int32Array,
  champion: ArrayLike<number>,
  challenger: ArrayLike<number>,
  k: number,
): McNemar {
  const n = checkRun(truth, champion, k, 'champion');
  checkRun(truth, challenger, k, 'challenger');
  const pa = predictions(champion, n, k);
  const pb = predictions(challenger, n, k);
  let championOnly = 0;
  let challengerOnly = 0;
  for (let i = 0; i < n; i++) {
    const a = pa[i] === truth[i];
    const b = pb[i] === truth[i];
    if (a && !b) championOnly++;
    else if (b && !a) challengerOnly++;
  }
  return { championOnly, challengerOnly, pValue: mcnemarExactP(championOnly, challengerOnly) };
}

/**
 * The gate on paired runs (same examples, same order): the primary metric and a recall guard per
 * class, each by a stratified (by true class), seeded paired bootstrap and the non-inferiority rule.
 */
export function runGate(
  truth: Int32Array,
  champion: ArrayLike<number>,
  challenger: ArrayLike<number>,
  k: number,
  opts: GateOptions,
): GateResult {
  const n = truth.length;
  const boot = { samples: opts.samples, seed: opts.seed };
  const checks: GateCheck[] = [];
  const higher = higherIsBetter(opts.metric);
  const differences = pairedDifferences(truth, champion, challenger, k, boot);
  const c = differences.find((d) => d.metric === opts.metric && d.cls === null)!;
  const recalls = Array.from({ length: k }, (_, cls) => {
    const r = differences.find((d) => d.metric === 'recall' && d.cls === cls)!;
    let support = 0;
    for (let i = 0; i < n; i++) if (truth[i] === cls) support++;
    return { ...r, support };
  });
  const primary = { kind: 'primary' as const, name: opts.metric, n, margin: opts.margin, higherIsBetter: higher };
  if (n < GATE_MIN_EXAMPLES) {
    checks.push({
      ...primary,
      ...pick(c),
      verdict: 'insufficient',
      reason: `${n} common examples; the gate needs at least ${GATE_MIN_EXAMPLES}`,
    });
  } else {
    const verdict = nonInferiority(c.lo, c.hi, opts.margin, higher);
    checks.push({
      ...primary,
      ...pick(c),
      verdict,
      reason:
        verdict === 'insufficient'
          ? `${opts.metric} is undefined on these examples (e.g. an AUC without both classes)`
          : intervalReason({ lo: c.lo, hi: c.hi, margin: opts.margin, higherIsBetter: higher, verdict }),
    });
  }
  for (let cls = 0; cls < k; cls++) {
    const r = recalls[cls]!;
    const guard = {
      kind: 'recall' as const,
      name: opts.labels[cls] ?? String(cls),
      n: r.support,
      margin: opts.recallMargin,
      higherIsBetter: true,
    };
    if (r.support < GATE_MIN_CLASS_EXAMPLES) {
      checks.push({
        ...guard,
        ...pick(r),
        verdict: 'insufficient',
        reason: `${r.support} examples of this class; its recall guard needs at least ${GATE_MIN_CLASS_EXAMPLES}`,
      });
      continue;
    }
    const verdict = nonInferiority(r.lo, r.hi, opts.recallMargin, true);
    checks.push({
      ...guard,
      ...pick(r),
      verdict,
      reason: intervalReason({ lo: r.lo, hi: r.hi, margin: opts.recallMargin, higherIsBetter: true, verdict }),
    });
  }
  return { verdict: combineVerdicts(checks), checks, mcnemar: mcnemar(truth, champion, challenger, k), differences };
}

function pick(c: {
  champion: number | null;
  challenger: number | null;
  diff: number | null;
  lo: number | null;
  hi: number | null;
}) {
  return { champion: c.champion, challenger: c.challenger, diff: c.diff, lo: c.lo, hi: c.hi };
}
