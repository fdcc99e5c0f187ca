import {
  absDelta,
  confidentError,
  entropy,
  jensenShannon,
  flipThenDelta,
  leastConfidence,
  margin,
  seededSample,
  thresholdDistance,
  voteEntropy,
  type MiningStrategy,
} from '../../../shared/features/mining';

export interface RankInput {
  strategy: MiningStrategy;
  n: number;
  width: number;
  multilabel: boolean;
  /** Scores of each model run, aligned row by row with the first. */
  runs: Float32Array[];
  /** Ground-truth class index per row, −1 unknown (confident errors only). */
  truth?: Int32Array;
}

/** Priority per row (higher = review sooner); random sampling returns its chosen rows in order. */
export function rank(input: RankInput, eligible: Uint8Array, limit: number): Float64Array {
  const { strategy: s, n, width: k, runs } = input;
  const ml = { multilabel: input.multilabel };
  const [a, b] = runs;
  switch (s.strategy) {
    case 'least-confidence':
      return leastConfidence(a!, n, k, ml);
    case 'margin':
      return margin(a!, n, k);
    case 'entropy':
      return entropy(a!, n, k, ml);
    case 'threshold':
      return thresholdDistance(a!, n, s.threshold);
    case 'disagreement':
      // Flips first, and among them (and among agreements) the larger |Δp| first.
      if (s.measure === 'label-flip') return flipThenDelta(a!, b!, n, k);
      return s.measure === 'abs-delta' ? absDelta(a!, b!, n, k) : jensenShannon(a!, b!, n, k);
    case 'vote-entropy':
      return voteEntropy(runs, n, k);
    case 'confident-error':
      return confidentError(a!, n, k, input.truth!);
    case 'label-issues':
      throw new Error('label-issues ranks labeled examples by the learner (learn/label-issues.ts), not model runs');
    case 'random': {
      // The sample's order is its priority, so the queue shows it in sample order.
      const picked = seededSample(n, limit, s.seed, eligible);
      const out = new Float64Array(n).fill(Number.NaN);
      picked.forEach((row, i) => (out[row] = 1 - i / Math.max(1, picked.length)));
      return out;
    }
  }
}
