import { z } from 'zod';

/** Disagreement measures between two model runs (see uncertainty.ts). */
export const DisagreementMeasureSchema = z.enum(['label-flip', 'abs-delta', 'jensen-shannon']);
export type DisagreementMeasure = z.infer<typeof DisagreementMeasureSchema>;

/**
 * How a mining run ranks examples. Only the strategy and its own parameters: which model runs,
 * filters, quotas and limits apply belong to the mining request that embeds this.
 */
export const MiningStrategySchema = z.discriminatedUnion('strategy', [
  z.object({ strategy: z.literal('least-confidence') }),
  z.object({ strategy: z.literal('margin') }),
  z.object({ strategy: z.literal('entropy') }),
  z.object({
    strategy: z.literal('threshold'),
    /** The binary decision threshold on P(positive); examples closest to it come first. */
    threshold: z.number().gt(0).lt(1),
  }),
  z.object({ strategy: z.literal('disagreement'), measure: DisagreementMeasureSchema }),
  z.object({ strategy: z.literal('vote-entropy') }),
  z.object({ strategy: z.literal('confident-error') }),
  /** Labels the project's learner, trained without them (k-fold), finds likely wrong: a second look. */
  z.object({ strategy: z.literal('label-issues'), folds: z.number().int().min(2).max(20).default(5) }),
  z.object({
    strategy: z.literal('random'),
    seed: z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
  }),
]);
export type MiningStrategy = z.infer<typeof MiningStrategySchema>;
export type MiningStrategyName = MiningStrategy['strategy'];

export const MINING_STRATEGY_NAMES: readonly MiningStrategyName[] = [
  'least-confidence',
  'margin',
  'entropy',
  'threshold',
  'disagreement',
  'vote-entropy',
  'confident-error',
  'label-issues',
  'random',
];

/**
 * Model runs a strategy reads: 0 for random, 1 for the single-run measures, exactly 2 for
 * disagreement, at least 3 for vote entropy. `{ min, max }` with max = Infinity for "or more".
 */
export function modelRunsNeeded(strategy: MiningStrategyName): { min: number; max: number } {
  switch (strategy) {
    case 'random':
    case 'label-issues':
      return { min: 0, max: 0 };
    case 'disagreement':
      return { min: 2, max: 2 };
    case 'vote-entropy':
      return { min: 3, max: Infinity };
    case 'least-confidence':
    case 'margin':
    case 'entropy':
    case 'threshold':
    case 'confident-error':
      return { min: 1, max: 1 };
  }
}

/** Strategies defined for binary tasks only (one score per example). */
export function binaryOnly(strategy: MiningStrategyName): boolean {
  return strategy === 'threshold';
}
