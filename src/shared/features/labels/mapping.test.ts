import { describe, expect, it } from 'vitest';
import {
  LabelChangeSchema,
  carryForwardLabels,
  checkMapping,
  describeChange,
  describeDiff,
  diffVersions,
  isEmptyDiff,
  planCarryForward,
  type Label,
  type LabelChange,
} from './index';

const L = (id: string, name: string, extra: Partial<Label> = {}): Label => ({
  id,
  name,
  description: '',
  hotkey: null,
  color: '#000000',
  ...extra,
});

const v1 = [L('spam', 'Spam'), L('phishing', 'Phishing'), L('ham', 'Ham'), L('other', 'Other')];

describe('checkMapping', () => {
  it('accepts kept labels with no changes declared', () => {
    expect(checkMapping(v1, v1, [])).toEqual([]);
  });

  it('accepts a complete mapping of every kind', () => {
    const v2 = [
      L('junk', 'Junk'),
      L('mail', 'Mail'),
      L('billing', 'Billing'),
      L('shipping', 'Shipping'),
      L('new', 'N'),
    ];
    const changes: LabelChange[] = [
      { kind: 'merge', from: ['spam', 'phishing'], to: 'junk' },
      { kind: 'rename', from: 'ham', to: 'mail' },
      { kind: 'split', from: 'other', to: ['billing', 'shipping'] },
      { kind: 'add', id: 'new' },
    ];
    expect(checkMapping(v1, v2, changes)).toEqual([]);
  });

  it('allows a merge or a split to keep one of its ids', () => {
    const v2 = [L('spam', 'Spam'), L('ham', 'Ham'), L('other', 'Other'), L('billing', 'Billing')];
    expect(
      checkMapping(v1, v2, [
        { kind: 'merge', from: ['spam', 'phishing'], to: 'spam' },
        { kind: 'split', from: 'other', to: ['other', 'billing'] },
      ]),
    ).toEqual([]);
  });

  it('names a forgotten previous label and an unaccounted new one', () => {
    const v2 = [L('spam', 'Spam'), L('phishing', 'Phishing'), L('ham', 'Ham'), L('misc', 'Misc')];
    expect(checkMapping(v1, v2, [])).toEqual([
      'previous label "other" (Other) is missing from the new version: keep its id, or declare it renamed, merged, split or removed',
      'new label "misc" (Misc) is not accounted for: declare it added, or the target of a rename, merge or split',
    ]);
    expect(checkMapping(v1, v2, [{ kind: 'rename', from: 'other', to: 'misc' }])).toEqual([]);
  });

  it('names a label used twice', () => {
    const v2 = [L('junk', 'Junk'), L('ham', 'Ham'), L('other', 'Other'), L('scam', 'Scam')];
    expect(
      checkMapping(v1, v2, [
        { kind: 'merge', from: ['spam', 'phishing'], to: 'junk' },
        { kind: 'rename', from: 'spam', to: 'scam' },
      ]),
    ).toEqual([
      'previous label "spam" (Spam) is used 2 times: merge "spam" + "phishing" → "junk"; rename "spam" → "scam"',
    ]);
  });

  it('refuses a merge and a split of the same label together', () => {
    const v2 = [L('junk', 'Junk'), L('ham', 'Ham'), L('other', 'Other'), L('ads', 'Ads'), L('scam', 'Scam')];
    const problems = checkMapping(v1, v2, [
      { kind: 'merge', from: ['spam', 'phishing'], to: 'junk' },
      { kind: 'split', from: 'spam', to: ['ads', 'scam'] },
    ]);
    expect(problems).toEqual([
      'previous label "spam" (Spam) is used 2 times: merge "spam" + "phishing" → "junk"; split "spam" → "ads", "scam"',
    ]);
  });

  it('counts a kept label as used: adding an id that is still there is a double use', () => {
    expect(checkMapping(v1, v1, [{ kind: 'add', id: 'ham' }])).toEqual([
      'new label "ham" (Ham) is used 2 times: add "ham"; kept',
    ]);
  });

  it('allows removing an id and adding it again (a redefinition)', () => {
    expect(
      checkMapping(v1, v1, [
        { kind: 'remove', id: 'other' },
        { kind: 'add', id: 'other' },
      ]),
    ).toEqual([]);
  });

  it('names ids that do not exist on the side they refer to', () => {
    const v2 = [L('spam', 'Spam'), L('phishing', 'Phishing'), L('ham', 'Ham'), L('misc', 'Misc')];
    expect(checkMapping(v1, v2, [{ kind: 'rename', from: 'othr', to: 'misc' }])).toEqual([
      'rename "othr" → "misc": "othr" is not a label of the previous version',
      'previous label "other" (Other) is missing from the new version: keep its id, or declare it renamed, merged, split or removed',
    ]);
    expect(checkMapping(v1, v1.slice(0, 3), [{ kind: 'rename', from: 'other', to: 'misc' }])).toEqual([
      'rename "other" → "misc": "misc" is not a label of the new version',
    ]);
  });

  it('refuses a rename that keeps the id', () => {
    expect(checkMapping(v1, v1, [{ kind: 'rename', from: 'ham', to: 'ham' }])).toEqual([
      'rename "ham" → "ham": the id does not change; a new name under the same id needs no mapping',
    ]);
  });

  it('parses changes and refuses a merge of one label or a split into one', () => {
    expect(LabelChangeSchema.safeParse({ kind: 'merge', from: ['a', 'b'], to: 'c' }).success).toBe(true);
    expect(LabelChangeSchema.safeParse({ kind: 'merge', from: ['a'], to: 'c' }).error?.issues[0]?.message).toBe(
      'a merge joins at least 2 labels',
    );
    expect(LabelChangeSchema.safeParse({ kind: 'split', from: 'a', to: ['b'] }).error?.issues[0]?.message).toBe(
      'a split makes at least 2 labels',
    );
    expect(LabelChangeSchema.safeParse({ kind: 'recolor', id: 'a' }).success).toBe(false);
  });

  it('describes changes', () => {
    expect(describeChange({ kind: 'add', id: 'x' })).toBe('add "x"');
    expect(describeChange({ kind: 'remove', id: 'x' })).toBe('remove "x"');
  });
});

describe('planCarryForward', () => {
  const plan = planCarryForward([
    { kind: 'merge', from: ['spam', 'phishing'], to: 'junk' },
    { kind: 'rename', from: 'ham', to: 'mail' },
    { kind: 'split', from: 'other', to: ['billing', 'shipping'] },
    { kind: 'remove', id: 'promo' },
    { kind: 'add', id: 'new' },
  ]);

  it('carries merges and renames, requeues splits and removals', () => {
    expect([...plan.carry]).toEqual([
      ['spam', 'junk'],
      ['phishing', 'junk'],
      ['ham', 'mail'],
    ]);
    expect([...plan.requeue]).toEqual(['other', 'promo']);
  });

  it('maps one example label set', () => {
    expect(carryForwardLabels(plan, ['ham'])).toEqual(['mail']);
    expect(carryForwardLabels(plan, ['kept'])).toEqual(['kept']);
    expect(carryForwardLabels(plan, ['spam', 'phishing', 'kept'])).toEqual(['junk', 'kept']);
    expect(carryForwardLabels(plan, ['other'])).toBeNull();
    expect(carryForwardLabels(plan, ['ham', 'promo'])).toBeNull();
    expect(carryForwardLabels(plan, [])).toEqual([]);
  });

  it('is empty for no changes', () => {
    const empty = planCarryForward([]);
    expect(empty.carry.size + empty.requeue.size).toBe(0);
  });
});

describe('diffVersions', () => {
  const before = {
    labels: [
      L('spam', 'Spam', { color: '#ff0000', hotkey: '1', description: 'unwanted' }),
      L('ham', 'Ham', { hotkey: '2' }),
      L('promo', 'Promotion', { hotkey: '3' }),
    ],
    guidelines: '# v1',
  };

  it('finds nothing between a version and itself', () => {
    const diff = diffVersions(before, before);
    expect(isEmptyDiff(diff)).toBe(true);
    expect(describeDiff(diff)).toEqual(['no changes']);
  });

  it('lists every kind of change', () => {
    const after = {
      labels: [
        L('spam', 'Junk mail', { color: '#00ff00', hotkey: 'j', description: 'unwanted mail' }),
        L('ham', 'Ham', { hotkey: null }),
        L('news', 'Newsletter', { hotkey: '3' }),
      ],
      guidelines: '# v2',
    };
    const diff = diffVersions(before, after);
    expect(diff).toEqual({
      added: [after.labels[2]],
      removed: [before.labels[2]],
      renamed: [{ id: 'spam', from: 'Spam', to: 'Junk mail' }],
      recolored: [{ id: 'spam', from: '#ff0000', to: '#00ff00' }],
      rehotkeyed: [
        { id: 'spam', from: '1', to: 'j' },
        { id: 'ham', from: '2', to: null },
      ],
      descriptionChanged: [{ id: 'spam', from: 'unwanted', to: 'unwanted mail' }],
      reordered: false,
      guidelinesChanged: true,
    });
    expect(describeDiff(diff)).toEqual([
      '+ added "news" (Newsletter)',
      '- removed "promo" (Promotion)',
      '~ renamed "spam": "Spam" → "Junk mail"',
      '~ recolored "spam": #ff0000 → #00ff00',
      '~ hotkey of "spam": 1 → j',
      '~ hotkey of "ham": 2 → none',
      '~ description of "spam" changed',
      '~ guidelines changed',
    ]);
  });

  it('notices a new order of the shared labels, but not one caused by an insertion', () => {
    const swapped = { ...before, labels: [before.labels[1]!, before.labels[0]!, before.labels[2]!] };
    expect(diffVersions(before, swapped).reordered).toBe(true);
    expect(describeDiff(diffVersions(before, swapped))).toEqual(['~ label order changed']);
    const inserted = { ...before, labels: [L('first', 'First'), ...before.labels] };
    expect(diffVersions(before, inserted).reordered).toBe(false);
  });
});
