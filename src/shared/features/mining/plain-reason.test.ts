import { describe, expect, it } from 'vitest';
import { plainReason } from './plain-reason';
import { joinReasons, reasonFor } from './reasons';

const SPAM = ['ham', 'spam'] as const;
const SENTIMENT = ['negative', 'neutral', 'positive'] as const;

// Every stored reason comes from reasonFor, so the words are checked on its real output.
describe('plainReason', () => {
  it('margin: the two classes the model is unsure between', () => {
    const reason = reasonFor({ strategy: 'margin', scores: [0.1, 0.46, 0.44], classes: SENTIMENT });
    const r = plainReason(reason, 0.98);
    expect(r.text).toBe('the model is unsure between neutral and positive');
    expect(r.detail).toBe('margin 0.02 between neutral and positive · priority 0.9800');
  });

  it('least confidence and entropy, single- and multilabel', () => {
    const lc = reasonFor({ strategy: 'least-confidence', scores: [0.41, 0.39, 0.2], classes: SENTIMENT });
    expect(plainReason(lc, 0.59).text).toBe('the model is not sure of its best guess, negative');
    const lcMulti = reasonFor({ strategy: 'least-confidence', scores: [0.9, 0.5], classes: SPAM, multilabel: true });
    expect(plainReason(lcMulti, 0.3).text).toBe('the model is not sure of several labels');
    const h = reasonFor({ strategy: 'entropy', scores: [0.5, 0.5, 0], classes: SENTIMENT });
    expect(plainReason(h, 0.63).text).toBe('the model spreads its scores over the classes');
    const hMulti = reasonFor({ strategy: 'entropy', scores: [0.5, 0.9], classes: SPAM, multilabel: true });
    expect(plainReason(hMulti, 0.73).text).toBe('the model spreads its scores on several labels');
  });

  it('threshold: which side of it', () => {
    const above = reasonFor({ strategy: 'threshold', scores: [0.25], classes: SPAM, threshold: 0.2 });
    expect(plainReason(above, -0.05).text).toBe('close to the decision threshold for spam (just above it)');
    const below = reasonFor({ strategy: 'threshold', scores: [0.12], classes: SPAM, threshold: 0.2 });
    expect(plainReason(below, -0.08).text).toBe('close to the decision threshold for spam (just below it)');
  });

  it('disagreement: what each model says, or that they agree', () => {
    const runs = [
      { name: 'v1', scores: [0.1, 0.2, 0.7] },
      { name: 'v2', scores: [0.8, 0.1, 0.1] },
    ] as const;
    for (const measure of ['label-flip', 'abs-delta', 'jensen-shannon'] as const) {
      const reason = reasonFor({ strategy: 'disagreement', measure, runs, classes: SENTIMENT });
      expect(plainReason(reason, 1.4).text).toBe('the two models disagree: v1 says positive, v2 says negative');
    }
    const agree = reasonFor({
      strategy: 'disagreement',
      measure: 'abs-delta',
      runs: [
        { name: 'clf@1', scores: [0.7, 0.2, 0.1] },
        { name: 'clf@2', scores: [0.5, 0.2, 0.3] },
      ],
      classes: SENTIMENT,
    });
    expect(plainReason(agree, 0.13).text).toBe('the two models both say negative, with different scores');
  });

  it('vote entropy: who votes what', () => {
    const reason = reasonFor({
      strategy: 'vote-entropy',
      runs: [
        { name: 'v1', scores: [0.7, 0.2, 0.1] },
        { name: 'v2', scores: [0.2, 0.7, 0.1] },
        { name: 'v3', scores: [0.6, 0.3, 0.1] },
      ],
      classes: SENTIMENT,
    });
    expect(plainReason(reason, 0.58).text).toBe('the models split their votes: v1, v3 say negative; v2 says neutral');
  });

  it('confident error: the model against the recorded answer', () => {
    const wrong = reasonFor({ strategy: 'confident-error', scores: [0.05, 0.05, 0.9], truth: 0, classes: SENTIMENT });
    expect(plainReason(wrong, 0.9).text).toBe(
      'the model is confident it is positive, but the recorded answer is negative',
    );
    const unknown = reasonFor({ strategy: 'confident-error', scores: [0.9], truth: -1, classes: SPAM });
    expect(plainReason(unknown, 0.9).text).toBe('the model is confident it is spam; no recorded answer to compare');
    const right = reasonFor({ strategy: 'confident-error', scores: [0.9], truth: 1, classes: SPAM });
    expect(plainReason(right, 0.9).text).toBe('the model is confident it is spam, as the recorded answer says');
  });

  it('random: a control sample', () => {
    const r = plainReason(reasonFor({ strategy: 'random', seed: 7 }), 0.123456);
    expect(r).toEqual({ text: 'random control sample', detail: 'random sample (seed 7) · priority 0.1235' });
  });

  it('names classes as they are called now, and joins several reasons', () => {
    const renamed = (c: string) => (c === 'positive' ? 'favourable' : c);
    const joined = joinReasons([
      reasonFor({ strategy: 'margin', scores: [0.1, 0.46, 0.44], classes: SENTIMENT }),
      reasonFor({ strategy: 'random', seed: 1 }),
    ]);
    expect(plainReason(joined, 1, renamed).text).toBe(
      'the model is unsure between neutral and favourable; random control sample',
    );
  });

  it('shows a reason it does not know as stored', () => {
    expect(plainReason('picked by hand', 2).text).toBe('picked by hand');
  });
});
