/**
 * Human-readable reasons for queue items ("margin 0.03 between spam and ham"). Numbers have two
 * decimals. Scores are one example's row: one value P(classes[1]) for binary tasks, one per class
 * otherwise; they go through the same functions as the mining itself, so a reason always shows
 * the value the item was ranked by.
 */
import type { DisagreementMeasure } from './strategy';
import {
  absDelta,
  entropy,
  jensenShannon,
  leastConfidence,
  marginValue,
  predictedClass,
  predictedConfidence,
  topTwoAt,
  voteEntropy,
} from './uncertainty';

/** One example's scores: [P(classes[1])] for binary, one value per class otherwise. */
export type ScoreRow = ArrayLike<number>;

/** One model run's scores for the example, with the name shown for it (e.g. "v1"). */
export interface RunScores {
  name: string;
  scores: ScoreRow;
}

interface WithClasses {
  /** Class names in score order; binary: [negative, positive]. */
  classes: readonly string[];
}

export type ReasonInput =
  | ({ strategy: 'least-confidence'; scores: ScoreRow; multilabel?: boolean } & WithClasses)
  | ({ strategy: 'margin'; scores: ScoreRow } & WithClasses)
  | ({ strategy: 'entropy'; scores: ScoreRow; multilabel?: boolean } & WithClasses)
  | ({ strategy: 'threshold'; scores: ScoreRow; threshold: number } & WithClasses)
  | ({
      strategy: 'disagreement';
      measure: DisagreementMeasure;
      runs: readonly [RunScores, RunScores];
    } & WithClasses)
  | ({ strategy: 'vote-entropy'; runs: readonly RunScores[] } & WithClasses)
  | ({
      strategy: 'confident-error';
      scores: ScoreRow;
      /** True class index, or −1 when unknown. */
      truth: number;
    } & WithClasses)
  | { strategy: 'random'; seed: number };

/** Two decimals, never "-0.00". */
export function fmt2(x: number): string {
  const s = x.toFixed(2);
  return s === '-0.00' ? '0.00' : s;
}

function row32(scores: ScoreRow): Float32Array {
  if (scores.length < 1) throw new RangeError('a score row needs at least one value');
  return scores instanceof Float32Array ? scores : Float32Array.from(scores);
}

function className(classes: readonly string[], i: number): string {
  return classes[i] ?? `class ${i}`;
}

function value(a: Float64Array): number {
  return a[0]!;
}

/** The reason text for one queue item. */
export function reasonFor(input: ReasonInput): string {
  switch (input.strategy) {
    case 'random':
      return `random sample (seed ${input.seed})`;

    case 'least-confidence': {
      const s = row32(input.scores);
      const k = s.length;
      const lc = value(leastConfidence(s, 1, k, { multilabel: input.multilabel }));
      if (input.multilabel) return `least confidence ${fmt2(lc)} (mean over ${k} labels)`;
      const top = predictedClass(s, 0, k);
      return `least confidence ${fmt2(lc)}: top class ${className(input.classes, top)} at ${fmt2(predictedConfidence(s, 0, k))}`;
    }

    case 'margin': {
      const s = row32(input.scores);
      const k = s.length;
      const t = topTwoAt(s, 0, k);
      return `margin ${fmt2(marginValue(s, 0, k))} between ${className(input.classes, t.first)} and ${className(input.classes, t.second)}`;
    }

    case 'entropy': {
      const s = row32(input.scores);
      const h = value(entropy(s, 1, s.length, { multilabel: input.multilabel }));
      return input.multilabel
        ? `entropy ${fmt2(h)} (max 1, mean over ${s.length} labels)`
        : `entropy ${fmt2(h)} (max 1)`;
    }

    case 'threshold': {
      const s = row32(input.scores);
      if (s.length !== 1) throw new RangeError('threshold reasons need a binary score (one value)');
      const p = s[0]!;
      const side = p >= input.threshold ? 'above' : 'below';
      return `P(${className(input.classes, 1)}) ${fmt2(p)}, ${fmt2(Math.abs(p - input.threshold))} ${side} threshold ${fmt2(input.threshold)}`;
    }

    case 'disagreement': {
      const [ra, rb] = input.runs;
      const a = row32(ra.scores);
      const b = row32(rb.scores);
      const k = a.length;
      if (b.length !== k) throw new RangeError('both runs need the same number of scores');
      const la = className(input.classes, predictedClass(a, 0, k));
      const lb = className(input.classes, predictedClass(b, 0, k));
      const detail =
        input.measure === 'jensen-shannon'
          ? `JS ${fmt2(value(jensenShannon(a, b, 1, k)))}`
          : `${k === 1 ? '|Δp|' : 'mean |Δp|'} ${fmt2(value(absDelta(a, b, 1, k)))}`;
      const models = `models ${ra.name}/${rb.name}`;
      return la !== lb ? `${models} disagree: ${la} vs ${lb} (${detail})` : `${models} agree on ${la} (${detail})`;
    }

    case 'vote-entropy': {
      const runs = input.runs;
      if (runs.length < 3) throw new Error(`vote entropy needs at least 3 model runs, got ${runs.length}`);
      const rows = runs.map((r) => row32(r.scores));
      const k = rows[0]!.length;
      if (rows.some((r) => r.length !== k)) throw new RangeError('all runs need the same number of scores');
      // Vote groups in order of size, then of first appearance.
      const groups = new Map<number, string[]>();
      rows.forEach((r, i) => {
        const label = predictedClass(r, 0, k);
        const names = groups.get(label);
        if (names) names.push(runs[i]!.name);
        else groups.set(label, [runs[i]!.name]);
      });
      const parts = [...groups.entries()]
        .sort((x, y) => y[1].length - x[1].length)
        .map(([label, names]) => `${className(input.classes, label)} ${names.length} (${names.join(', ')})`);
      const h = value(voteEntropy(rows, 1, k));
      return `${runs.length} runs vote ${parts.join(' vs ')}; vote entropy ${fmt2(h)}`;
    }

    case 'confident-error': {
      const s = row32(input.scores);
      const k = s.length;
      const predicted = predictedClass(s, 0, k);
      const p = fmt2(predictedConfidence(s, 0, k));
      const name = className(input.classes, predicted);
      if (input.truth < 0) return `predicted ${name} at ${p}, truth unknown`;
      if (input.truth === predicted) return `predicted ${name} at ${p}, matches the truth`;
      return `confident error: predicted ${name} at ${p}, truth ${className(input.classes, input.truth)}`;
    }
  }
}

/** Several reasons for one item, e.g. from a margin run and a disagreement run, in one line. */
export function joinReasons(reasons: readonly string[]): string {
  return reasons.filter((r) => r.length > 0).join('; ');
}
