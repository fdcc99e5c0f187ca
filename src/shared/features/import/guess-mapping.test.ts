import { describe, expect, it } from 'vitest';
import { guessMapping } from './guess-mapping';

describe('mapping guess', () => {
  it('infers the class order of a score vector from the predicted labels', () => {
    const rows = [
      {
        id: 1,
        text: 'a',
        scores: [0.7, 0.2, 0.1],
        predicted_label: 'neg',
        model: 'm',
        model_version: 'v1',
        channel: 'web',
      },
      {
        id: 2,
        text: 'b',
        scores: [0.1, 0.8, 0.1],
        predicted_label: 'neu',
        model: 'm',
        model_version: 'v1',
        channel: 'app',
      },
      {
        id: 3,
        text: 'c',
        scores: [0.1, 0.2, 0.7],
        predicted_label: 'pos',
        model: 'm',
        model_version: 'v1',
        channel: 'web',
      },
    ];
    const { mapping } = guessMapping(Object.keys(rows[0]!), rows);
    expect(mapping).toMatchObject({
      id: 'id',
      inputKind: 'text',
      text: 'text',
      taskType: 'multiclass',
      classes: ['neg', 'neu', 'pos'],
      scores: { kind: 'vector', field: 'scores' },
      predictedLabel: 'predicted_label',
      model: { nameField: 'model', versionField: 'model_version' },
      metadata: ['channel'],
    });
  });

  it('reads p_<class> columns and a one-score binary column', () => {
    const csv = [{ id: 'x', text: 't', p_neg: 0.1, p_pos: 0.9, label: 'pos' }];
    expect(guessMapping(Object.keys(csv[0]!), csv).mapping).toMatchObject({
      taskType: 'binary',
      classes: ['neg', 'pos'],
      scores: { kind: 'columns', columns: ['p_neg', 'p_pos'] },
      groundTruth: 'label',
    });
    const spam = [
      { id: 'm1', text: 'win', spam_score: 0.9, prediction: 'spam' },
      { id: 'm2', text: 'hi', spam_score: 0.1, prediction: 'ham' },
    ];
    expect(guessMapping(Object.keys(spam[0]!), spam).mapping).toMatchObject({
      taskType: 'binary',
      classes: ['ham', 'spam'],
      scores: { kind: 'columns', columns: ['spam_score'] },
    });
  });

  it('sees logits and tabular features', () => {
    const rows = [{ id: 'r', f0: 1.5, f1: -2, logits: [2.1, -1.3], model_version: 'v9' }];
    const { mapping } = guessMapping(Object.keys(rows[0]!), rows);
    expect(mapping).toMatchObject({
      inputKind: 'tabular',
      features: { kind: 'fields', fields: ['f0', 'f1'] },
      taskType: 'binary',
    });
    expect(mapping?.scoreTransform).toBe('softmax');
    const one = [{ id: 'r', text: 't', score: [3.2], model_version: 'v9' }];
    expect(guessMapping(Object.keys(one[0]!), one).mapping?.scoreTransform).toBe('sigmoid');
  });

  it('says what is missing instead of guessing wildly', () => {
    expect(guessMapping(['foo'], [{ foo: 1 }])).toEqual({
      mapping: null,
      notes: [expect.stringMatching(/no id field/)],
      fieldsDropped: 0,
    });
    const noScores = guessMapping(['id', 'text'], [{ id: 1, text: 'x' }]);
    expect(noScores.mapping).toBeNull();
    expect(noScores.notes.join(' ')).toMatch(/no score field/);
  });
});

describe('mapping guess: text templates', () => {
  const row = (i: number, extra: Record<string, unknown>) => ({
    id: i,
    scores: [0.7, 0.3],
    predicted_label: 'ham',
    model: 'm',
    model_version: '1',
    ...extra,
  });

  it('proposes {subject}\\n{body} for a mail log, with a note', () => {
    const rows = [row(1, { subject: 'Hi', body: 'hello', lang: 'en' }), row(2, { subject: '', body: 'x', lang: 'de' })];
    const guess = guessMapping(Object.keys(rows[0]!), rows);
    expect(guess.mapping).toMatchObject({ textTemplate: '{subject}\n{body}', metadata: ['lang'] });
    expect(guess.mapping).not.toHaveProperty('text');
    expect(guess.notes.join('\n')).toMatch(/text is built as "\{subject\}\\n\{body\}"/);
  });

  it('leaves a log with a text field and a title as before: one text field, the title as metadata', () => {
    const rows = [row(1, { title: 'Great', text: 'loved it' })];
    const guess = guessMapping(Object.keys(rows[0]!), rows);
    expect(guess.mapping).toMatchObject({ text: 'text', metadata: ['title'] });
    expect(guess.mapping).not.toHaveProperty('textTemplate');
  });
});
