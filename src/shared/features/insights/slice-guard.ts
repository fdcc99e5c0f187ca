import { compareRuns, higherIsBetter, type ComparedMetric } from './bootstrap';
import { GATE_MIN_EXAMPLES, intervalReason, nonInferiority, type GateCheck } from './gate';

export interface SliceGuardOptions {
  metric: ComparedMetric;
  margin: number;
  samples: number;
  seed: number;
  /** The slice as text, e.g. "channel=email & lang=en". */
  name: string;
}

/**
 * A pinned slice's guard: the gate's non-inferiority rule on the primary metric, restricted to the
 * slice's examples (paired, same order for both runs), with the same minimum of examples as the gate.
 */
export function sliceGuardCheck(
  truth: Int32Array,
  champion: ArrayLike<number>,
  challenger: ArrayLike<number>,
  k: number,
  o: SliceGuardOptions,
): GateCheck {
  const n = truth.length;
  const higher = higherIsBetter(o.metric);
  const base = { kind: 'slice' as const, name: o.name, n, margin: o.margin, higherIsBetter: higher };
  if (n < GATE_MIN_EXAMPLES) {
    return {
      ...base,
      champion: null,
      challenger: null,
      diff: null,
      lo: null,
      hi: null,
      verdict: 'insufficient',
      reason: `${n} common examples in the slice; its guard needs at least ${GATE_MIN_EXAMPLES}`,
    };
  }
  const c = compareRuns(truth, champion, challenger, k, o.metric, {
    samples: o.samples,
    seed: o.seed,
    stratified: true,
  });
  const verdict = nonInferiority(c.lo, c.hi, o.margin, higher);
  return {
    ...base,
    champion: c.champion,
    challenger: c.challenger,
    diff: c.diff,
    lo: c.lo,
    hi: c.hi,
    verdict,
    reason:
      verdict === 'insufficient'
        ? `${o.metric} is undefined on the slice's examples (e.g. an AUC without both classes)`
        : intervalReason({ lo: c.lo, hi: c.hi, margin: o.margin, higherIsBetter: higher, verdict }),
  };
}
