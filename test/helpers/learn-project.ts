// The learner tests' projects: a binary project whose first feature and words carry the class.
import type { ImportMappingInput } from '../../src/shared/features/import/mapping';

// A binary project of 400 messages: the first feature and the words carry the class, the others are
// noise; every example has ground truth. A second project has text only, a third features only.
export const LEARN_ROWS = 400;
const WORDS = { ham: ['meeting', 'lunch', 'report', 'family'], spam: ['prize', 'winner', 'free', 'click'] };

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function learnRows(withText: boolean, withFeatures: boolean) {
  const r = rng(7);
  return Array.from({ length: LEARN_ROWS }, (_, i) => {
    const spam = i % 2 === 1;
    const words = spam ? WORDS.spam : WORDS.ham;
    return {
      id: `m${i}`,
      ts: 1_700_000_000_000 + i * 60_000,
      ...(withText ? { text: `${words[i % 4]} ${words[(i + 1) % 4]} message ${i}` } : {}),
      ...(withFeatures ? { f: [(spam ? 1 : -1) + (r() - 0.5) * 1.5, r() - 0.5, r() - 0.5] } : {}),
      p_spam: 0.5,
      truth: spam ? 'spam' : 'ham',
      model: 'prod',
      model_version: 'v1',
    };
  });
}

export function learnMapping(withText: boolean, withFeatures: boolean): ImportMappingInput {
  return {
    id: 'id',
    inputKind: withText ? 'text' : 'tabular',
    ...(withText ? { text: 'text' } : {}),
    ...(withFeatures ? { features: { kind: 'vector' as const, field: 'f', dim: 3 } } : {}),
    timestamp: { field: 'ts', unit: 'ms' },
    taskType: 'binary',
    classes: ['ham', 'spam'],
    scores: { kind: 'columns', columns: ['p_spam'] },
    scoreTransform: 'none',
    groundTruth: 'truth',
    model: { nameField: 'model', versionField: 'model_version' },
    metadata: [],
    sumTolerance: 0.01,
  };
}

export const truthOf = (i: number): 'ham' | 'spam' => (i % 2 === 1 ? 'spam' : 'ham');
