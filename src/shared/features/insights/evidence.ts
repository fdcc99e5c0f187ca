/**
 * How much evidence a verdict rests on: how many more labels an inconclusive comparison needs,
 * and how class rates move over time (prior shift).
 */

export interface IntervalCheck {
  n: number;
  diff: number | null;
  lo: number | null;
  hi: number | null;
  margin: number;
  higherIsBetter: boolean;
  verdict: 'pass' | 'fail' | 'insufficient';
}

/** Fewer examples than this: no interval at all (the gate's minimum). */
const MIN_EXAMPLES = 30;

/**
 * About how many more labels would let the interval clear the margin, if the observed difference
 * held: a 95% interval narrows as 1/√n, so n_needed ≈ n × (width / target)², with target the width
 * at which the bound on the margin's side stops at the margin: 2 × (diff + margin) (higher is
 * better; a loss: 2 × (margin − diff)). Null where more labels would not help: a pass, or an
 * estimate already on the wrong side of the margin (a clear fail).
 */
export function labelsNeeded(c: IntervalCheck, minExamples = MIN_EXAMPLES): { more: number; target: string } | null {
  if (c.verdict === 'pass') return null;
  if (c.n < minExamples || c.diff === null || c.lo === null || c.hi === null) {
    return {
      more: Math.max(1, minExamples - c.n),
      target: `at least ${minExamples} examples before any interval is computed`,
    };
  }
  const room = c.higherIsBetter ? c.diff + c.margin : c.margin - c.diff;
  if (!(room > 0)) return null;
  const width = c.hi - c.lo;
  const target = 2 * room;
  if (!(width > target)) return null;
  const needed = Math.ceil(c.n * (width / target) ** 2);
  return {
    more: needed - c.n,
    target:
      `a 95% interval of width ${target.toFixed(3)} (2 × the distance ${room.toFixed(3)} from the observed difference ` +
      `${c.diff.toFixed(3)} to the margin), from ${width.toFixed(3)} now on ${c.n} examples: n ≈ ${c.n} × (${width.toFixed(3)} / ${target.toFixed(3)})² = ${needed}`,
  };
}

export interface RunPositives {
  name: string;
  /** Examples the run scored, and P(positive) of each, in the same order. */
  ids: ArrayLike<number>;
  positive: ArrayLike<number>;
}

export interface WindowRate {
  from: string;
  to: string;
  /** Examples of the set in the window. */
  n: number;
  /** Share of them labeled positive (class 1). */
  labeled: number | null;
  /** Per run: share of its scored examples in the window it predicts positive (P ≥ 0.5). */
  predicted: { run: string; n: number; rate: number | null }[];
}

/**
 * Labeled and predicted positive rates in `windows` equal time windows spanning the timestamped
 * examples of the set (the last window includes the newest example). Examples without a timestamp
 * are left out; fewer than two timestamps give no windows.
 */
export function windowRates(
  ts: Map<number, number>,
  truth: Map<number, number>,
  runs: readonly RunPositives[],
  windows: number,
): WindowRate[] {
  let min = Infinity;
  let max = -Infinity;
  for (const id of truth.keys()) {
    const t = ts.get(id);
    if (t === undefined) continue;
    if (t < min) min = t;
    if (t > max) max = t;
  }
  if (!(max > min)) return [];
  const span = (max - min) / windows;
  const which = (t: number) => Math.min(windows - 1, Math.floor((t - min) / span));
  const n = new Array<number>(windows).fill(0);
  const pos = new Array<number>(windows).fill(0);
  for (const [id, c] of truth) {
    const t = ts.get(id);
    if (t === undefined) continue;
    const w = which(t);
    n[w]!++;
    if (c === 1) pos[w]!++;
  }
  const perRun = runs.map((r) => {
    const m = new Array<number>(windows).fill(0);
    const p = new Array<number>(windows).fill(0);
    for (let i = 0; i < r.ids.length; i++) {
      const t = ts.get(r.ids[i]!);
      if (t === undefined) continue;
      const w = which(t);
      m[w]!++;
      if (r.positive[i]! >= 0.5) p[w]!++;
    }
    return { run: r.name, m, p };
  });
  const iso = (t: number) => new Date(t).toISOString();
  return n.map((count, w) => ({
    from: iso(min + w * span),
    to: iso(w === windows - 1 ? max : min + (w + 1) * span),
    n: count,
    labeled: count > 0 ? pos[w]! / count : null,
    predicted: perRun.map((r) => ({ run: r.run, n: r.m[w]!, rate: r.m[w]! > 0 ? r.p[w]! / r.m[w]! : null })),
  }));
}
