import { describe, expect, it } from 'vitest';
import {
  accuracyText,
  coldStartLine,
  gainText,
  queueRefreshedLine,
  randomLabelsLine,
  sentence,
  timeAgo,
} from './learn-words';
import { initialRepresentation, representationChoices } from './representations';

const encoder = { name: 'minilm', version: 'v1', outputMapping: { kind: 'embedding', width: 384 } };
const classifier = { name: 'prod', version: 'v2', outputMapping: { kind: 'probabilities', width: 3 } };

describe('representation choices', () => {
  it('offers text and an encoder to a text project without features, and says why features are out', () => {
    const choices = representationChoices({ inputKind: 'text', featureNames: null }, [classifier, encoder]);
    expect(choices.map((c) => [c.value, c.unavailable])).toEqual([
      ['features', 'the imported log has no feature vectors'],
      ['text', null],
      ['embeddings:minilm@v1', null],
    ]);
    expect(choices[2]!.text).toBe('embeddings of minilm@v1 (384 numbers)');
    expect(initialRepresentation(choices, null)).toBe('text');
  });

  it('offers features to a tabular project, never its missing text, and no encoder without one registered', () => {
    const choices = representationChoices({ inputKind: 'tabular', featureNames: ['a', 'b'] }, [classifier]);
    expect(choices.map((c) => [c.value, c.unavailable])).toEqual([
      ['features', null],
      ['text', 'the examples of this tabular project have no text'],
      ['embeddings', 'no sentence encoder is registered: add one (tokenizer.json + model.onnx) in Models'],
    ]);
    expect(choices[0]!.text).toBe('logged features (2)');
  });

  it('starts from the configured representation, and from nothing where the project has none', () => {
    const text = representationChoices({ inputKind: 'text', featureNames: ['x'] }, []);
    expect(initialRepresentation(text, 'features')).toBe('features');
    const image = representationChoices({ inputKind: 'image', featureNames: null }, []);
    expect(image.every((c) => c.unavailable !== null)).toBe(true);
    expect(initialRepresentation(image, null)).toBe('');
  });
});

describe('learner sentences', () => {
  const now = Date.UTC(2026, 0, 10, 12);
  it('says how long ago in words', () => {
    expect(timeAgo(now - 10_000, now)).toBe('just now');
    expect(timeAgo(now - 4 * 60_000, now)).toBe('4 min ago');
    expect(timeAgo(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(timeAgo(now - 50 * 3_600_000, now)).toBe('2 days ago');
  });

  it("gives Review's line when, and on how many labels, the learner re-ranked the queue", () => {
    expect(queueRefreshedLine({ at: now - 120_000, labels: 1250, queued: 100 }, now)).toBe(
      'Queue re-ranked by the learner 2 min ago, trained on 1,250 labels.',
    );
    expect(queueRefreshedLine({ at: now, labels: 1, queued: 3 }, now)).toBe(
      'Queue re-ranked by the learner just now, trained on 1 label.',
    );
    expect(queueRefreshedLine(null, now)).toBe('');
  });

  it('names the classes still short of five labels during cold start', () => {
    expect(coldStartLine(['neg', 'neu', 'pos'], [5, 2, 0])).toBe(
      'Cold start: picking typical and diverse examples until each class has 5 labels (neu needs 3 more, pos needs 5 more).',
    );
  });

  it('writes accuracies with their interval and count, gains with their sign', () => {
    expect(accuracyText({ n: 120, accuracy: 0.8234, low: 0.741, high: 0.884 })).toBe('0.82 (0.74–0.88, 120 labels)');
    expect(accuracyText({ n: 1, accuracy: 1 })).toBe('1.00 (1 label)');
    expect(accuracyText({ n: 0, accuracy: null })).toBe('no labels yet');
    expect(gainText(0.0123)).toBe('+1.2 points');
    expect(gainText(-0.004)).toBe('−0.4 points');
    expect(gainText(0.0001)).toBe('±0.0 points');
    expect(gainText(null)).toBe('not measurable yet');
  });

  it("turns the API's message fragments into sentences", () => {
    expect(sentence('too early: the stop signal needs a few refreshes')).toBe(
      'Too early: the stop signal needs a few refreshes.',
    );
    expect(sentence('Already a sentence.')).toBe('Already a sentence.');
    expect(sentence('')).toBe('');
  });

  it('says how many random labels would reach this quality, or why not yet', () => {
    expect(randomLabelsLine({ estimate: 340.4, low: 210, high: 1560 })).toBe(
      '≈ 340 random labels (210–1,560) would reach this quality.',
    );
    expect(randomLabelsLine({ estimate: 900, low: 500, high: Infinity })).toBe(
      '≈ 900 random labels (500–more than the pool holds) would reach this quality.',
    );
    expect(randomLabelsLine(null)).toMatch(/^Not measurable yet/);
  });
});
