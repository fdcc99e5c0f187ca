import { describe, expect, it } from 'vitest';
import { MINING_STRATEGY_NAMES, MiningStrategySchema, binaryOnly, modelRunsNeeded } from './strategy';

describe('MiningStrategySchema', () => {
  it('accepts every strategy with its parameters', () => {
    const valid = [
      { strategy: 'least-confidence' },
      { strategy: 'margin' },
      { strategy: 'entropy' },
      { strategy: 'threshold', threshold: 0.2 },
      { strategy: 'disagreement', measure: 'label-flip' },
      { strategy: 'disagreement', measure: 'abs-delta' },
      { strategy: 'disagreement', measure: 'jensen-shannon' },
      { strategy: 'vote-entropy' },
      { strategy: 'confident-error' },
      { strategy: 'label-issues', folds: 5 },
      { strategy: 'random', seed: 42 },
    ];
    for (const v of valid) expect(MiningStrategySchema.parse(v)).toEqual(v);
    expect(new Set(valid.map((v) => v.strategy))).toEqual(new Set(MINING_STRATEGY_NAMES));
  });

  it('rejects missing or out-of-range parameters and unknown strategies', () => {
    const invalid = [
      { strategy: 'threshold' },
      { strategy: 'threshold', threshold: 0 },
      { strategy: 'threshold', threshold: 1 },
      { strategy: 'disagreement' },
      { strategy: 'disagreement', measure: 'kl' },
      { strategy: 'random' },
      { strategy: 'random', seed: 1.5 },
      { strategy: 'random', seed: 2 ** 60 },
      { strategy: 'label-issues', folds: 1 },
      { strategy: 'uncertainty' },
      {},
    ];
    for (const v of invalid) expect(MiningStrategySchema.safeParse(v).success, JSON.stringify(v)).toBe(false);
  });
});

describe('strategy facts', () => {
  it('says how many model runs each strategy reads', () => {
    expect(modelRunsNeeded('random')).toEqual({ min: 0, max: 0 });
    expect(modelRunsNeeded('entropy')).toEqual({ min: 1, max: 1 });
    expect(modelRunsNeeded('disagreement')).toEqual({ min: 2, max: 2 });
    expect(modelRunsNeeded('vote-entropy')).toEqual({ min: 3, max: Infinity });
    expect(MINING_STRATEGY_NAMES.filter(binaryOnly)).toEqual(['threshold']);
  });
});
