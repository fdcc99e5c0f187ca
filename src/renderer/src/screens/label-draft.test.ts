import { describe, expect, it } from 'vitest';
import type { LabelSchemaVersion } from '../../../shared/features/labels/contract';
import { changesFromDraft } from '../../../shared/features/labels/draft-mapping';
import { changeLines, rowProblems, type DraftRow } from './label-draft';

const v1 = {
  version: 1,
  labels: [
    { id: 'negative', name: 'negative', hotkey: '1', color: '#e8590c', description: '' },
    { id: 'positive', name: 'positive', hotkey: '2', color: '#1971c2', description: '' },
  ],
} as unknown as LabelSchemaVersion;

function rows(edit: Partial<Record<string, Partial<DraftRow>>> = {}): DraftRow[] {
  return v1.labels.map((l) => ({
    key: l.id,
    id: l.id,
    name: l.name,
    hotkey: l.hotkey ?? '',
    color: l.color,
    description: '',
    comesFrom: [l.id],
    ...edit[l.id],
  }));
}

function lines(r: DraftRow[]): string[] {
  const changes = changesFromDraft(
    v1.labels.map((l) => l.id),
    r.map((x) => ({ id: x.id, comesFrom: x.comesFrom })),
  );
  return changeLines(v1, r, changes);
}

describe('changeLines', () => {
  it('shows a rename as one line, by name, also when only the name changes', () => {
    expect(lines(rows({ positive: { name: 'favourable' } }))).toEqual([
      'rename positive → favourable (same id positive)',
    ]);
    expect(lines(rows({ positive: { id: 'favourable', name: 'favourable' } }))).toEqual([
      'rename positive → favourable (id positive → favourable)',
    ]);
  });

  it('declares nothing for a label whose id is still empty', () => {
    expect(lines(rows({ positive: { id: '' } }))).toEqual([]);
  });

  it('lists merges and removals as the mapping has them', () => {
    expect(lines([{ ...rows()[0]!, id: 'any', name: 'any', comesFrom: ['negative', 'positive'] }])).toEqual([
      'merge "negative" + "positive" → "any"',
    ]);
  });
});

describe('rowProblems', () => {
  it('names each field’s problem, and nothing once fixed', () => {
    const bad = rowProblems(rows({ negative: { id: '' }, positive: { hotkey: 'a', name: 'Negative' } }));
    expect(bad['negative']).toEqual({
      id: 'Give the label an id (e.g. “positive”).',
      name: 'Another label is called “negative”.',
    });
    expect(bad['positive']).toEqual({
      name: 'Another label is called “Negative”.',
      hotkey: 'Hotkey "a" is reserved for accept in review.',
    });
    expect(rowProblems(rows())).toEqual({});
  });
});
