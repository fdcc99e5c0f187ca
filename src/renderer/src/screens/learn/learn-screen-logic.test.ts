import { describe, expect, it } from 'vitest';
import {
  accuracyText,
  coldStartLine,
  defaultExportPath,
  exportBlocked,
  fitSentences,
  gainText,
  issuesQueuedLine,
  newestLearnerOnly,
  queueRefreshedLine,
  randomLabelsLine,
  sentence,
  timeAgo,
} from './learn-words';
import { embeddingsProgress, initialRepresentation, representationChoices } from './representations';

const encoder = { id: 7, name: 'minilm', version: 'v1', outputMapping: { kind: 'embedding', width: 384 } };
const classifier = { id: 3, name: 'prod', version: 'v2', outputMapping: { kind: 'probabilities', width: 3 } };

describe('representation choices', () => {
  it('offers text and an encoder to a text project without features, and says why features are out', () => {
    const choices = representationChoices({ inputKind: 'text', featureNames: null }, [classifier, encoder]);
    expect(choices.map((c) => [c.value, c.unavailable])).toEqual([
      ['features', 'the imported log has no feature vectors'],
      ['text', null],
      ['embeddings:minilm@v1', null],
    ]);
    expect(choices[2]!.text).toBe('embeddings of minilm@v1 (384 numbers)');
    expect(choices[2]!.encoderId).toBe(7);
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

describe('embeddings progress', () => {
  it('asks for embeddings until the pass is complete, and says why a pass stopped', () => {
    const column = { stored: 1200, pending: 300, status: 'failed', error: 'the model process ran out of memory' };
    expect(embeddingsProgress(undefined, 'minilm@v1')).toMatch(/^No embeddings of minilm@v1 are stored yet/);
    expect(embeddingsProgress(column, 'minilm@v1')).toBe(
      'The embeddings of minilm@v1 are incomplete: 1,200 stored, 300 to go; computing continues where it stopped. ' +
        'The last pass failed: the model process ran out of memory',
    );
    expect(embeddingsProgress({ ...column, status: 'running', error: null }, 'm')).toBe(
      'Computing the embeddings of m: 1,200 stored so far.',
    );
    expect(embeddingsProgress({ stored: 1500, pending: 0, status: 'done', error: null }, 'm')).toBeNull();
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
    expect(queueRefreshedLine({ refreshedAt: now - 120_000, labels: 1250 }, now)).toBe(
      'Re-ranked by the learner 2 min ago, on 1,250 labels',
    );
    expect(queueRefreshedLine({ refreshedAt: now, labels: 1 }, now)).toBe(
      'Re-ranked by the learner just now, on 1 label',
    );
    expect(queueRefreshedLine(null, now)).toBe('');
  });

  it("keeps Review's score panel to the newest learner run among the production models", () => {
    const runs = ['prod@v1', 'learner@5', 'prod@v2', 'learner@10', 'learner@15'].map((model) => ({ model }));
    expect(newestLearnerOnly(runs).map((r) => r.model)).toEqual(['prod@v1', 'prod@v2', 'learner@15']);
    expect(newestLearnerOnly([{ model: 'prod@v1' }])).toEqual([{ model: 'prod@v1' }]);
  });

  it('counts labels sent back for a second look as queued, and says which were already waiting', () => {
    expect(issuesQueuedLine({ added: 0, updated: 8, alreadyQueued: 0 })).toBe(
      'Queued 8 likely-wrong labels for a second look.',
    );
    expect(issuesQueuedLine({ added: 1, updated: 0, alreadyQueued: 3 })).toBe(
      'Queued 1 likely-wrong label for a second look (3 were already waiting for one).',
    );
  });

  it('names the classes still short of five labels during cold start', () => {
    expect(coldStartLine(['neg', 'neu', 'pos'], [5, 2, 0])).toBe(
      'Cold start: picking typical and diverse examples until each class has 5 labels (neu needs 3 more, pos needs 5 more).',
    );
  });

  it('writes accuracies with their interval and count, gains with their sign', () => {
    expect(accuracyText({ n: 120, accuracy: 0.8234, low: 0.741, high: 0.884 })).toBe('0.82 (0.74–0.88, 120 labels)');
    expect(accuracyText({ n: 1, accuracy: 1 })).toBe('1.00 (1 label)');
    expect(accuracyText({ n: 120, accuracy: 0.82, low: 0.741, high: 0.884 }, false)).toBe(
      '120 labels, 95% interval 0.74–0.88',
    );
    expect(accuracyText({ n: 13, accuracy: 0.92 }, false)).toBe('13 labels');
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
    expect(randomLabelsLine({ estimate: 340.4, low: 210, high: 1560, extrapolated: false }, 5000)).toBe(
      '≈ 340 random labels (95% interval 210–1,560) would reach this quality.',
    );
    expect(randomLabelsLine({ estimate: 900, low: 500, high: 1e7, extrapolated: true }, 1500)).toBe(
      '≈ 900 random labels (95% interval 500–more than all 1,500 examples) would reach this quality, ' +
        'extrapolated beyond the random curve measured so far.',
    );
    expect(randomLabelsLine({ estimate: Infinity, low: 10, high: Infinity }, 1500)).toBe(
      'Random labels would not reach this quality within all 1,500 examples of the project.',
    );
    expect(randomLabelsLine({ estimate: 1.2, low: 1, high: 3, extrapolated: false }, 1500)).toBe(
      '≈ 1 random label (95% interval 1–3) would reach this quality.',
    );
    expect(randomLabelsLine(null, 1500)).toMatch(/not measurable yet/);
  });

  it("says in words how the refresh's fit went, leaving out what the API does not give", () => {
    const fit = {
      iterations: 10,
      converged: true,
      gradientNorm: 0.00000726,
      warmStarted: true,
      fromTruth: 0,
      heldOut: 3,
      unmapped: 1,
      missingInputs: 0,
    };
    const timings = { readMs: 422.4, fitMs: 455, scoreMs: 104, rerankMs: 37, writeMs: 212, totalMs: 1879 };
    expect(fitSentences(fit, timings)).toEqual([
      'The solver converged after 10 iterations (gradient norm 7.3e-6), warm-started from the previous learner.',
      'Left out: 3 ground-truth labels in evaluation sets; 1 label naming no class of the model.',
      'Took 1.9 s: read 422 ms, fit 455 ms, score 104 ms, re-rank 37 ms, write 212 ms.',
    ]);
    expect(fitSentences({ converged: false, iterations: 500, fromTruth: 40 }, {})).toEqual([
      'The solver stopped without converging after 500 iterations: its scores are less reliable than usual.',
      '40 of its labels came from imported ground truth.',
    ]);
    expect(fitSentences({}, {})).toEqual([]);
  });

  it('names the exported learner after the project and its labels, and says why a learner cannot be exported', () => {
    expect(defaultExportPath('fraud cases', 240, false)).toBe('learners/fraud-cases-learner-240.onnx');
    expect(defaultExportPath('reviews', 80, true)).toBe('learners/reviews-learner-80');
    expect(exportBlocked(null, null)).toBe('There is no learner to export until the first refresh.');
    expect(exportBlocked(40, 'text')).toMatch(/^A learner over hashed text n-grams cannot be exported as ONNX/);
    expect(exportBlocked(40, 'features')).toBeNull();
    expect(exportBlocked(40, 'embeddings:minilm@v1')).toBeNull();
  });
});
