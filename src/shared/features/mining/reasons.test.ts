import { describe, expect, it } from 'vitest';
import { fmt2, joinReasons, reasonFor } from './reasons';

const SPAM = ['ham', 'spam'] as const;
const SENTIMENT = ['negative', 'neutral', 'positive'] as const;

describe('reasonFor', () => {
  it('explains margins with the two closest classes', () => {
    // binary p(spam) = 0.515 → margin |2·0.515 − 1| = 0.03, spam first
    expect(reasonFor({ strategy: 'margin', scores: [0.515], classes: SPAM })).toBe('margin 0.03 between spam and ham');
    // [0.1, 0.46, 0.44] → 0.46 − 0.44 = 0.02
    expect(reasonFor({ strategy: 'margin', scores: Float32Array.from([0.1, 0.46, 0.44]), classes: SENTIMENT })).toBe(
      'margin 0.02 between neutral and positive',
    );
  });

  it('explains entropy and least confidence', () => {
    // [0.5, 0.5, 0] → ln2 / ln3 = 0.6309
    expect(reasonFor({ strategy: 'entropy', scores: [0.5, 0.5, 0], classes: SENTIMENT })).toBe('entropy 0.63 (max 1)');
    // binary p = 0.4: H = 0.673012 nats → / ln2 = 0.970951
    expect(reasonFor({ strategy: 'entropy', scores: [0.4], classes: SPAM })).toBe('entropy 0.97 (max 1)');
    expect(reasonFor({ strategy: 'entropy', scores: [0.5, 0.9], classes: ['a', 'b'], multilabel: true })).toBe(
      'entropy 0.73 (max 1, mean over 2 labels)',
    );
    expect(reasonFor({ strategy: 'least-confidence', scores: [0.41, 0.39, 0.2], classes: SENTIMENT })).toBe(
      'least confidence 0.59: top class negative at 0.41',
    );
    expect(reasonFor({ strategy: 'least-confidence', scores: [0.3], classes: SPAM })).toBe(
      'least confidence 0.30: top class ham at 0.70',
    );
    expect(
      reasonFor({ strategy: 'least-confidence', scores: [0.9, 0.5, 0.2], classes: SENTIMENT, multilabel: true }),
    ).toBe('least confidence 0.27 (mean over 3 labels)');
  });

  it('explains the distance to a threshold', () => {
    expect(reasonFor({ strategy: 'threshold', scores: [0.25], classes: SPAM, threshold: 0.2 })).toBe(
      'P(spam) 0.25, 0.05 above threshold 0.20',
    );
    expect(reasonFor({ strategy: 'threshold', scores: [0.12], classes: SPAM, threshold: 0.2 })).toBe(
      'P(spam) 0.12, 0.08 below threshold 0.20',
    );
    expect(() => reasonFor({ strategy: 'threshold', scores: [0.2, 0.8], classes: SPAM, threshold: 0.5 })).toThrow(
      RangeError,
    );
  });

  it('explains disagreement between two runs', () => {
    const runs = [
      { name: 'v1', scores: [0.9] },
      { name: 'v2', scores: [0.49] },
    ] as const;
    expect(reasonFor({ strategy: 'disagreement', measure: 'label-flip', runs, classes: SPAM })).toBe(
      'models v1/v2 disagree: spam vs ham (|Δp| 0.41)',
    );
    // P = [0.1, 0.9], Q = [0.51, 0.49], M = [0.305, 0.695]:
    // KL(P‖M) = 0.1 ln(0.1/0.305) + 0.9 ln(0.9/0.695) = −0.111514 + 0.232630 = 0.121116
    // KL(Q‖M) = 0.51 ln(0.51/0.305) + 0.49 ln(0.49/0.695) = 0.262190 − 0.171242 = 0.090948
    // JS = (0.121116 + 0.090948) / 2 = 0.106032 nats → / ln2 = 0.1530
    expect(reasonFor({ strategy: 'disagreement', measure: 'jensen-shannon', runs, classes: SPAM })).toBe(
      'models v1/v2 disagree: spam vs ham (JS 0.15)',
    );
    const agree = [
      { name: 'v1', scores: [0.7, 0.2, 0.1] },
      { name: 'v2', scores: [0.5, 0.2, 0.3] },
    ] as const;
    // mean |Δp| = (0.2 + 0 + 0.2) / 3 = 0.13
    expect(reasonFor({ strategy: 'disagreement', measure: 'abs-delta', runs: agree, classes: SENTIMENT })).toBe(
      'models v1/v2 agree on negative (mean |Δp| 0.13)',
    );
  });

  it('explains vote entropy', () => {
    const runs = [
      { name: 'v1', scores: [0.7, 0.2, 0.1] },
      { name: 'v2', scores: [0.2, 0.7, 0.1] },
      { name: 'v3', scores: [0.6, 0.3, 0.1] },
    ];
    // votes negative, neutral, negative → 0.636514 / ln3 = 0.5794
    expect(reasonFor({ strategy: 'vote-entropy', runs, classes: SENTIMENT })).toBe(
      '3 runs vote negative 2 (v1, v3) vs neutral 1 (v2); vote entropy 0.58',
    );
    expect(() => reasonFor({ strategy: 'vote-entropy', runs: runs.slice(0, 2), classes: SENTIMENT })).toThrow(
      'vote entropy needs at least 3 model runs, got 2',
    );
  });

  it('explains confident errors, and says so when the truth is unknown or agrees', () => {
    expect(reasonFor({ strategy: 'confident-error', scores: [0.97], classes: SPAM, truth: 0 })).toBe(
      'confident error: predicted spam at 0.97, truth ham',
    );
    expect(reasonFor({ strategy: 'confident-error', scores: [0.1, 0.05, 0.85], classes: SENTIMENT, truth: 0 })).toBe(
      'confident error: predicted positive at 0.85, truth negative',
    );
    expect(reasonFor({ strategy: 'confident-error', scores: [0.97], classes: SPAM, truth: -1 })).toBe(
      'predicted spam at 0.97, truth unknown',
    );
    expect(reasonFor({ strategy: 'confident-error', scores: [0.97], classes: SPAM, truth: 1 })).toBe(
      'predicted spam at 0.97, matches the truth',
    );
  });

  it('names the random sample by its seed', () => {
    expect(reasonFor({ strategy: 'random', seed: 42 })).toBe('random sample (seed 42)');
  });

  it('falls back to class numbers when a name is missing', () => {
    expect(reasonFor({ strategy: 'margin', scores: [0.2, 0.5, 0.3], classes: ['a'] })).toBe(
      'margin 0.20 between class 1 and class 2',
    );
  });
});

describe('formatting', () => {
  it('keeps two decimals and never prints -0.00', () => {
    expect(fmt2(0.4099999)).toBe('0.41');
    expect(fmt2(-0.001)).toBe('0.00');
    expect(fmt2(1)).toBe('1.00');
  });

  it('joins reasons', () => {
    expect(
      joinReasons(['margin 0.03 between spam and ham', '', 'models v1/v2 disagree: spam vs ham (|Δp| 0.41)']),
    ).toBe('margin 0.03 between spam and ham; models v1/v2 disagree: spam vs ham (|Δp| 0.41)');
  });
});
