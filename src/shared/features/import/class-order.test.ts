import { describe, expect, it } from 'vitest';
import { classOrderEvidence, classOrderWarning } from './class-order';
import type { ImportMapping } from './mapping';

const base: ImportMapping = {
  id: 'id',
  inputKind: 'text',
  text: 'text',
  taskType: 'binary',
  classes: ['ham', 'spam'],
  scores: { kind: 'vector', field: 'scores' },
  scoreTransform: 'none',
  predictedLabel: 'pred',
  model: { name: 'm', version: 'v1' },
  metadata: [],
  sumTolerance: 0.01,
};

/** Rows whose first score wins for ham, second for spam; `noise` rows disagree with their label. */
function hamSpamRows(n: number, noise = 0) {
  return Array.from({ length: n }, (_, i) => {
    const spam = i % 2 === 1;
    const agree = i >= noise;
    const p = spam === agree ? 0.9 : 0.1; // P(spam)
    return { id: i, text: 't', scores: [1 - p, p], pred: spam ? 'spam' : 'ham' };
  });
}

describe('class order against the logged predicted labels', () => {
  it('says nothing when the order agrees with the data', () => {
    const rows = hamSpamRows(20, 1);
    expect(classOrderEvidence(base, rows)).toEqual({
      rows: 20,
      contradicted: 1,
      best: ['ham', 'spam'],
      bestContradicted: 1,
    });
    expect(classOrderWarning(base, rows)).toBeNull();
  });

  it('warns, in words, when the order is reversed, and names the order to try', () => {
    const rows = hamSpamRows(20, 1);
    const reversed = { ...base, classes: ['spam', 'ham'] };
    expect(classOrderWarning(reversed, rows)).toBe(
      'In 19 of 20 rows the highest score is not the logged predicted label; the class order may be reversed: try ham, spam',
    );
  });

  it('reads one binary score as P(classes[1]), a logit under sigmoid', () => {
    const rows = hamSpamRows(10).map((r) => ({ ...r, scores: [r.scores[1]!] }));
    expect(classOrderWarning(base, rows)).toBeNull();
    expect(classOrderWarning({ ...base, classes: ['spam', 'ham'] }, rows)).toBe(
      'In 10 of 10 rows the score points to the other class than the logged predicted label; the class order may be reversed: try ham, spam',
    );
    const logits = rows.map((r) => ({ ...r, scores: [r.scores[0]! > 0.5 ? 2 : -2] }));
    expect(classOrderWarning({ ...base, scoreTransform: 'sigmoid' }, logits)).toBeNull();
  });

  it('finds a permutation of three classes read from score columns', () => {
    const names = ['negative', 'neutral', 'positive'];
    const rows = Array.from({ length: 12 }, (_, i) => {
      const c = i % 3;
      return { id: i, p_0: c === 0 ? 0.8 : 0.1, p_1: c === 1 ? 0.8 : 0.1, p_2: c === 2 ? 0.8 : 0.1, pred: names[c] };
    });
    const m: ImportMapping = {
      ...base,
      taskType: 'multiclass',
      classes: ['neutral', 'negative', 'positive'],
      scores: { kind: 'columns', columns: ['p_0', 'p_1', 'p_2'] },
    };
    expect(classOrderWarning(m, rows)).toBe(
      'In 8 of 12 rows the highest score is not the logged predicted label; the class order may be wrong: try negative, neutral, positive',
    );
    expect(classOrderWarning({ ...m, classes: names }, rows)).toBeNull();
  });

  it('cannot tell without predicted labels, with scores keyed by class, or from too few rows', () => {
    const rows = hamSpamRows(20);
    const reversed = { ...base, classes: ['spam', 'ham'] };
    const { predictedLabel: _p, ...unlabeled } = reversed;
    expect(classOrderEvidence(unlabeled, rows)).toBeNull();
    expect(classOrderEvidence({ ...reversed, scores: { kind: 'object', field: 'scores' } }, rows)).toBeNull();
    expect(classOrderEvidence(reversed, rows.slice(0, 4))).toBeNull();
    // Labels the mapping does not know are left to the validator.
    expect(
      classOrderEvidence(
        reversed,
        rows.map((r) => ({ ...r, pred: 'other' })),
      ),
    ).toBeNull();
  });
});
