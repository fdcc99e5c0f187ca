import { describe, expect, it } from 'vitest';
import { changesFromDraft } from './draft-mapping';

describe('changes read from a drafted label version', () => {
  const old = ['spam', 'phishing', 'ham', 'promo'];

  it('declares nothing when every label comes from itself', () => {
    expect(
      changesFromDraft(
        old,
        old.map((id) => ({ id, comesFrom: [id] })),
      ),
    ).toEqual([]);
  });

  it('reads renames, merges, splits, additions and removals', () => {
    const changes = changesFromDraft(old, [
      { id: 'junk', comesFrom: ['spam', 'phishing'] },
      { id: 'personal', comesFrom: ['ham'] },
      { id: 'work', comesFrom: ['ham'] },
      { id: 'newsletter', comesFrom: [] },
    ]);
    expect(changes).toEqual([
      { kind: 'split', from: 'ham', to: ['personal', 'work'] },
      { kind: 'merge', from: ['spam', 'phishing'], to: 'junk' },
      { kind: 'add', id: 'newsletter' },
      { kind: 'remove', id: 'promo' },
    ]);
    expect(
      changesFromDraft(
        ['a', 'b'],
        [
          { id: 'c', comesFrom: ['a'] },
          { id: 'b', comesFrom: ['b'] },
        ],
      ),
    ).toEqual([{ kind: 'rename', from: 'a', to: 'c' }]);
  });
});
