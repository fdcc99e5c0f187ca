/**
 * The label-efficiency meter: is the mined queue paying off against a random control?
 *
 * Every label is scored before the learner learns from it (prequential). Control items are a random
 * sample of the pool, so the learner's accuracy on them is an unbiased measure of its quality; its
 * accuracy on mined items is not (mined items are the hard ones) and is shown, not judged. What
 * random labeling would have achieved comes from a second learner trained on the control labels
 * alone, scored the same way on each new control item (randomCorrect, randomLabelCount). Fitting
 * that learner's curve and inverting it at the main learner's quality gives how many random labels
 * would reach the same quality; a seeded bootstrap over the outcomes gives its interval.
 */
import { mulberry32 } from '../../../shared/features/mining/top-k';
import type { LearningCurvePoint } from './stop-signal';

export interface PrequentialOutcome {
  origin: 'mined' | 'control';
  /** Whether the learner, trained on every label before this one, predicted this label. */
  correct: boolean;
  /** Labels that learner had learned from. */
  labelCount: number;
  /** Control items: whether the learner trained on control labels alone predicted it. */
  randomCorrect?: boolean;
  /** Control items: control labels that learner had learned from. */
  randomLabelCount?: number;
}

export interface Proportion {
  n: number;
  correct: number;
  /** null when n = 0. */
  accuracy: number | null;
  /** Wilson score interval (95%). */
  low: number;
  high: number;
}

export type EfficiencyVerdict = 'mined-better' | 'no-difference' | 'control-better' | 'too-early';

export interface EfficiencyReport {
  mined: Proportion;
  control: Proportion;
  /** The learner's accuracy on the most recent control items: its current quality. */
  quality: Proportion;
  /** Mean label count over those recent control items (the quality is measured there). */
  qualityAtLabels: number;
  /** The learner's accuracy on control items against its label count, in bins. */
  controlCurve: LearningCurvePoint[];
  /** The control-only learner's accuracy on control items against its label count, in bins. */
  randomCurve: LearningCurvePoint[];
  /** Random labels that would reach `quality`, with a bootstrap 95% interval; null when too early. */
  randomLabelsToMatch: { estimate: number; low: number; high: number; extrapolated: boolean } | null;
  verdict: EfficiencyVerdict;
  sentence: string;
}

export interface EfficiencyOptions {
  /** Recent control items that measure current quality; default 50. */
  window?: number;
  /** Control items needed before any verdict; default 30. */
  minControl?: number;
  /** Control outcomes per curve bin; default 25. */
  bin?: number;
  /** Bootstrap replicates; default 400. */
  bootstrap?: number;
  seed?: number;
}

const Z95 = 1.959963984540054;
/** Beyond this many random labels the estimate is reported as "more than". */
const MAX_LABELS = 1e7;

/** Wilson score interval for correct/n. */
export function wilson(correct: number, n: number, z = Z95): Proportion {
  if (n === 0) return { n, correct, accuracy: null, low: 0, high: 1 };
  const p = correct / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { n, correct, accuracy: p, low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

function curve(points: { labels: number; correct: boolean }[], bin: number): LearningCurvePoint[] {
  const out: LearningCurvePoint[] = [];
  for (let i = 0; i + bin <= points.length || (i < points.length && out.length === 0); i += bin) {
    const slice = points.slice(i, i + bin);
    out.push({
      labels: slice.reduce((s, p) => s + p.labels, 0) / slice.length,
      accuracy: slice.filter((p) => p.correct).length / slice.length,
    });
  }
  return out;
}

/** Least squares of correct (0/1) on ln(labels): the random learner's curve α + β·ln n. */
function fitLogLinear(xs: Float64Array, ys: Float64Array, pick: Int32Array): { alpha: number; beta: number } {
  let mx = 0;
  let my = 0;
  for (let i = 0; i < pick.length; i++) {
    mx += xs[pick[i]!]!;
    my += ys[pick[i]!]!;
  }
  mx /= pick.length;
  my /= pick.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < pick.length; i++) {
    const dx = xs[pick[i]!]! - mx;
    sxy += dx * (ys[pick[i]!]! - my);
    sxx += dx * dx;
  }
  const beta = sxx > 0 ? sxy / sxx : 0;
  return { alpha: my - beta * mx, beta };
}

/** n with α + β·ln n = q, within [1, MAX_LABELS]; a flat or falling curve never reaches a higher q. */
function labelsFor(q: number, alpha: number, beta: number): number {
  if (beta <= 0) return q <= alpha ? 1 : MAX_LABELS;
  return Math.min(MAX_LABELS, Math.max(1, Math.exp((q - alpha) / beta)));
}

function percentile(sorted: Float64Array, p: number): number {
  const at = (sorted.length - 1) * p;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (p: number) => `${(p * 100).toFixed(1)}%`;

/** The meter over outcomes in labeling order. */
export function labelEfficiency(
  outcomes: readonly PrequentialOutcome[],
  options: EfficiencyOptions = {},
): EfficiencyReport {
  const window = options.window ?? 50;
  const minControl = options.minControl ?? 30;
  const bin = options.bin ?? 25;
  const replicates = options.bootstrap ?? 400;
  const seed = options.seed ?? 0;
  const mined = outcomes.filter((o) => o.origin === 'mined');
  const control = outcomes.filter((o) => o.origin === 'control');
  const count = (list: readonly PrequentialOutcome[]) => wilson(list.filter((o) => o.correct).length, list.length);
  const recent = control.slice(-window);
  const quality = count(recent);
  const qualityAtLabels = recent.length ? recent.reduce((s, o) => s + o.labelCount, 0) / recent.length : 0;
  const random = control.filter((o) => o.randomCorrect !== undefined && o.randomLabelCount !== undefined);
  const report = {
    mined: count(mined),
    control: count(control),
    quality,
    qualityAtLabels,
    controlCurve: curve(
      control.map((o) => ({ labels: o.labelCount, correct: o.correct })),
      bin,
    ),
    randomCurve: curve(
      random.map((o) => ({ labels: o.randomLabelCount!, correct: o.randomCorrect! })),
      bin,
    ),
  };
  const distinctRandomCounts = new Set(random.map((o) => o.randomLabelCount)).size;
  if (control.length < minControl || random.length < minControl || distinctRandomCounts < 2) {
    const need =
      control.length < minControl
        ? `${control.length} of the ${minControl} control labels needed so far`
        : 'no learner trained on the control labels alone has been scored enough yet';
    return { ...report, randomLabelsToMatch: null, verdict: 'too-early', sentence: `Too early to tell: ${need}.` };
  }

  const xs = Float64Array.from(random, (o) => Math.log(Math.max(1, o.randomLabelCount!)));
  const ys = Float64Array.from(random, (o) => (o.randomCorrect ? 1 : 0));
  const all = Int32Array.from(xs.keys());
  const fit = fitLogLinear(xs, ys, all);
  const estimate = labelsFor(quality.accuracy!, fit.alpha, fit.beta);
  const next = mulberry32(seed);
  const draws = new Float64Array(replicates);
  const pick = new Int32Array(random.length);
  for (let b = 0; b < replicates; b++) {
    let hits = 0;
    for (let i = 0; i < recent.length; i++) if (recent[next() % recent.length]!.correct) hits++;
    for (let i = 0; i < pick.length; i++) pick[i] = next() % random.length;
    const f = fitLogLinear(xs, ys, pick);
    draws[b] = labelsFor(hits / recent.length, f.alpha, f.beta);
  }
  draws.sort();
  const low = percentile(draws, 0.025);
  const high = percentile(draws, 0.975);
  const observed = random.reduce((m, o) => Math.max(m, o.randomLabelCount!), 0);
  const extrapolated = estimate > observed;
  const randomLabelsToMatch = { estimate, low, high, extrapolated };

  const n = qualityAtLabels;
  // Past ten times the labels spent, the number itself means little: say "more than" that.
  const cap = 10 * Math.max(n, 1);
  const labels = (v: number) => (v >= cap ? `more than ${fmt(cap)}` : fmt(v));
  const where = extrapolated ? ', extrapolated beyond the control curve' : '';
  const about =
    low >= cap
      ? `more than ${fmt(cap)} random labels (the whole 95% interval${where})`
      : `${estimate >= cap ? '' : 'about '}${labels(estimate)} random labels (95% interval ${labels(low)} to ${labels(high)}${where})`;
  const reached = `the learner's ${pct(quality.accuracy!)} accuracy at ${fmt(n)} labels would take ${about}`;
  let verdict: EfficiencyVerdict;
  let sentence: string;
  if (low > n) {
    verdict = 'mined-better';
    sentence = `Mined labels pay off: ${reached}.`;
  } else if (high < n) {
    verdict = 'control-better';
    sentence = `Random labels would have done better: ${reached}. Consider switching to random sampling.`;
  } else {
    verdict = 'no-difference';
    sentence = `Mined labels are not clearly beating random ones: ${reached}. Consider switching strategy.`;
  }
  return { ...report, randomLabelsToMatch, verdict, sentence };
}
