// The fraud log of the evaluation tests: a real binary log with ground truth, three model versions
// and a channel, built to make a challenger look better on its own training labels than on later traffic.
import type { ImportMappingInput } from '../../src/shared/features/import/mapping';

export const FRAUD_CLASSES = ['legit', 'fraud'];
export const SEP = Date.UTC(2026, 8, 1);
export const OCT = Date.UTC(2026, 9, 1);
export const HOUR = 3_600_000;

/**
 * 200 September examples: v2 predicts i % 2 and was trained on the curated labels of the first 120
 * (Sep 1 00:00 – Sep 5 23:00), which follow v2; v1 disagrees with v2 where i % 7 = 0. The first 10
 * also carry ground truth, equal to v2's label except on 1, 2, 3.
 * 60 October examples (newest traffic, every 12 h), all with ground truth j % 2:
 * - Oct 1–15 (j < 30): v1 wrong on 2, v2 wrong on 12;
 * - Oct 16–30 (j ≥ 30): v1 wrong on 2, v2 wrong on 4 (worse by 2 of 30: a wide interval).
 * In all of October v1 errs on 6.7%, v2 on 26.7%. v3 scored only the first 40 October examples.
 * channel: 'email' where i % 4 = 0 (September), j % 3 = 0 (October), else 'sms'.
 */
export function fraudRows(version: 'v1' | 'v2' | 'v3'): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const row = (id: string, ts: number, predicted: number, truth: number | undefined, channel: string) => ({
    id,
    ts,
    text: `payment ${id}`,
    p_fraud: predicted === 1 ? 0.8 : 0.2,
    model: 'fraud-clf',
    model_version: version,
    channel,
    ...(truth === undefined ? {} : { truth: FRAUD_CLASSES[truth] }),
  });
  if (version !== 'v3') {
    for (let i = 0; i < 200; i++) {
      const v2 = i % 2;
      const predicted = version === 'v1' && i % 7 === 0 ? 1 - v2 : v2;
      const truth = i < 10 ? ([1, 2, 3].includes(i) ? 1 - v2 : v2) : undefined;
      out.push(row(`s${i}`, SEP + i * HOUR, predicted, truth, i % 4 === 0 ? 'email' : 'sms'));
    }
  }
  for (let j = 0; j < 60; j++) {
    if (version === 'v3' && j >= 40) break;
    const truth = j % 2;
    const wrong =
      version === 'v1'
        ? [0, 1, 30, 31].includes(j)
        : version === 'v2'
          ? (j >= 2 && j < 14) || (j >= 32 && j < 36)
          : j < 3;
    out.push(row(`o${j}`, OCT + j * 12 * HOUR, wrong ? 1 - truth : truth, truth, j % 3 === 0 ? 'email' : 'sms'));
  }
  return out;
}

/** The explicit mapping of the fraud log; `metadata` names the fields kept (the channel, or none). */
export function fraudMapping(metadata: string[] = []): ImportMappingInput {
  return {
    id: 'id',
    inputKind: 'text',
    text: 'text',
    timestamp: { field: 'ts', unit: 'ms' },
    taskType: 'binary',
    classes: FRAUD_CLASSES,
    scores: { kind: 'columns', columns: ['p_fraud'] },
    scoreTransform: 'none',
    groundTruth: 'truth',
    model: { nameField: 'model', versionField: 'model_version' },
    metadata,
    sumTolerance: 0.01,
  };
}
