import { describe, expect, it } from 'vitest';
import {
  HotkeySchema,
  LabelSchema,
  LabelSchemaVersionDraftSchema,
  RESERVED_HOTKEYS,
  formatIssue,
  validateDraft,
  withDefaultHotkeys,
  type Label,
  type LabelInput,
} from './index';

const spam: LabelInput = { id: 'spam', name: 'Spam', color: '#d33030' };
const ham: LabelInput = { id: 'ham', name: 'Ham', color: '#30a030' };
const promo: LabelInput = { id: 'promo', name: 'Promotion', color: '#3030d3' };

function problems(input: unknown): string[] {
  const r = LabelSchemaVersionDraftSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map(formatIssue);
}

describe('label', () => {
  it('fills defaults and normalises case of hotkey and colour', () => {
    const label = LabelSchema.parse({ id: 'spam', name: '  Spam ', hotkey: 'S', color: '#D33030' });
    expect(label).toEqual({ id: 'spam', name: 'Spam', description: '', hotkey: 's', color: '#d33030' });
  });

  it('accepts ids of lowercase letters, digits, - and _ only', () => {
    for (const id of ['spam', 'not-spam', 'class_2', '0', 'a'.repeat(64)]) {
      expect(LabelSchema.safeParse({ ...spam, id }).success, id).toBe(true);
    }
    for (const id of ['', 'Spam', 'spam mail', 'é', 'a'.repeat(65), 'a.b']) {
      const r = LabelSchema.safeParse({ ...spam, id });
      expect(r.success, id).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual(['id']);
    }
  });

  it('checks name, description and colour', () => {
    expect(LabelSchema.safeParse({ ...spam, name: '   ' }).error?.issues[0]?.path).toEqual(['name']);
    expect(LabelSchema.safeParse({ ...spam, name: 'x'.repeat(101) }).success).toBe(false);
    expect(LabelSchema.safeParse({ ...spam, description: 'x'.repeat(2000) }).success).toBe(true);
    expect(LabelSchema.safeParse({ ...spam, description: 'x'.repeat(2001) }).success).toBe(false);
    for (const color of ['red', '#fff', '#12345g', 'd33030', '#d330300']) {
      expect(LabelSchema.safeParse({ ...spam, color }).error?.issues[0]?.path, color).toEqual(['color']);
    }
  });

  it('refuses the review shortcuts as hotkeys and names the label and the action', () => {
    expect([...RESERVED_HOTKEYS.keys()].sort()).toEqual([' ', 'a', 'c', 'f', 'x', 'z']);
    const r = LabelSchema.safeParse({ ...spam, hotkey: 'a' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['hotkey']);
    expect(r.error?.issues[0]?.message).toBe('label "Spam": hotkey "a" is reserved for accept in review');
    expect(LabelSchema.safeParse({ ...spam, hotkey: ' ' }).error?.issues[0]?.message).toMatch(/reserved for skip/);
    expect(LabelSchema.safeParse({ ...spam, hotkey: 'Z' }).error?.issues[0]?.message).toMatch(/reserved for undo/);
  });

  it('allows one key of 1-9 or a-z', () => {
    for (const hotkey of ['1', '9', 'b', 's', 'y']) expect(HotkeySchema.safeParse(hotkey).success, hotkey).toBe(true);
    for (const hotkey of ['0', '10', '', '!', 'ab', 'é']) {
      expect(HotkeySchema.safeParse(hotkey).success, hotkey).toBe(false);
    }
    expect(LabelSchema.safeParse({ ...spam, hotkey: '0' }).error?.issues[0]?.message).toBe(
      'label "Spam": hotkey "0" is not allowed: use one key of 1-9 or a-z',
    );
  });
});

describe('label schema version draft', () => {
  it('parses a first version', () => {
    const draft = LabelSchemaVersionDraftSchema.parse({ taskType: 'multiclass', labels: [spam, ham, promo] });
    expect(draft.guidelines).toBe('');
    expect(draft.changeNote).toBe('');
    expect(draft.mappingFromPrevious).toBeNull();
    expect(draft.labels.map((l) => l.id)).toEqual(['spam', 'ham', 'promo']);
  });

  it('names both labels of a hotkey clash', () => {
    expect(
      problems({ taskType: 'multiclass', labels: [{ ...spam, hotkey: 's' }, ham, { ...promo, hotkey: 'S' }] }),
    ).toEqual(['labels.2.hotkey: label "Promotion": hotkey "s" is already used by label "Spam"']);
  });

  it('names the label whose hotkey is reserved, with its position', () => {
    expect(problems({ taskType: 'multiclass', labels: [spam, { ...ham, hotkey: 'x' }] })).toEqual([
      'labels.1.hotkey: label "Ham": hotkey "x" is reserved for reject in review',
    ]);
  });

  it('compares names ignoring case', () => {
    expect(problems({ taskType: 'multiclass', labels: [spam, ham, { ...promo, name: 'SPAM ' }] })).toEqual([
      'labels.2.name: label "SPAM": name clashes with label "Spam" (names are compared ignoring case)',
    ]);
  });

  it('refuses a repeated id', () => {
    expect(problems({ taskType: 'multiclass', labels: [spam, ham, { ...promo, id: 'spam' }] })).toEqual([
      'labels.2.id: label "Promotion": id "spam" is already used by label "Spam"',
    ]);
  });

  it('refuses a binary task with 3 labels, naming them', () => {
    expect(problems({ taskType: 'binary', labels: [spam, ham, promo] })).toEqual([
      'labels: a binary task has exactly 2 labels, got 3: "Spam", "Ham", "Promotion"',
    ]);
    expect(problems({ taskType: 'binary', labels: [spam, ham] })).toEqual([]);
  });

  it('needs 2..200 labels', () => {
    expect(problems({ taskType: 'multiclass', labels: [spam] })).toEqual([
      'labels: a label schema has at least 2 labels',
    ]);
    const many = Array.from({ length: 201 }, (_, i) => ({ id: `l${i}`, name: `L${i}`, color: '#000000' }));
    expect(problems({ taskType: 'multiclass', labels: many.slice(0, 200) })).toEqual([]);
    expect(problems({ taskType: 'multiclass', labels: many })).toEqual([
      'labels: a label schema has at most 200 labels',
    ]);
  });

  it('limits guidelines to 200k characters', () => {
    const base = { taskType: 'binary', labels: [spam, ham] };
    expect(problems({ ...base, guidelines: '#'.repeat(200_000) })).toEqual([]);
    expect(problems({ ...base, guidelines: '#'.repeat(200_001) })[0]).toMatch(/^guidelines: /);
  });

  it('needs a change note for every version after the first', () => {
    const later = { taskType: 'binary', labels: [spam, ham], mappingFromPrevious: [] };
    expect(problems(later)).toEqual(['changeNote: a change note is required for every version after the first']);
    expect(problems({ ...later, changeNote: '   ' })).toHaveLength(1);
    expect(problems({ ...later, changeNote: 'clarified guidelines' })).toEqual([]);
    expect(problems({ ...later, changeNote: 'x'.repeat(2001) })[0]).toMatch(/^changeNote: /);
  });

  it('reports every problem at once', () => {
    const found = problems({
      taskType: 'binary',
      labels: [spam, { ...ham, hotkey: 'a' }, { ...promo, name: 'spam', color: 'blue' }],
    });
    expect(found).toHaveLength(4);
    expect(found.join('\n')).toMatch(/labels\.2\.color/);
  });
});

describe('default hotkeys', () => {
  const label = (id: string, hotkey: string | null): Label => ({
    id,
    name: id,
    description: '',
    hotkey,
    color: '#000000',
  });

  it('assigns 1..9 in order to labels without one', () => {
    const out = withDefaultHotkeys([label('a1', null), label('b1', null), label('c1', null)]);
    expect(out.map((l) => l.hotkey)).toEqual(['1', '2', '3']);
  });

  it('skips digits already taken and keeps explicit hotkeys', () => {
    const out = withDefaultHotkeys([label('a1', null), label('b1', '1'), label('c1', 's'), label('d1', null)]);
    expect(out.map((l) => l.hotkey)).toEqual(['2', '1', 's', '3']);
  });

  it('leaves labels without a hotkey when the digits run out, and does not mutate its input', () => {
    const input = Array.from({ length: 11 }, (_, i) => label(`l${i}`, null));
    const out = withDefaultHotkeys(input);
    expect(out.map((l) => l.hotkey)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', null, null]);
    expect(input.every((l) => l.hotkey === null)).toBe(true);
  });
});

describe('validateDraft', () => {
  const previous = {
    taskType: 'multiclass' as const,
    labels: LabelSchemaVersionDraftSchema.parse({ taskType: 'multiclass', labels: [spam, ham, promo] }).labels,
    guidelines: '',
  };

  it('accepts a first version and gives it default hotkeys', () => {
    const r = validateDraft({ taskType: 'multiclass', labels: [spam, ham, { ...promo, hotkey: '1' }] }, null);
    expect(r.ok && r.draft.labels.map((l) => l.hotkey)).toEqual(['2', '3', '1']);
  });

  it('refuses a mapping on a first version and a missing one on a later version', () => {
    expect(
      validateDraft({ taskType: 'binary', labels: [spam, ham], changeNote: 'x', mappingFromPrevious: [] }, null),
    ).toEqual({
      ok: false,
      problems: ['mappingFromPrevious: the first version has no previous version to map from'],
    });
    const r = validateDraft({ taskType: 'multiclass', labels: [spam, ham, promo], changeNote: 'x' }, previous);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems[0]).toMatch(/^mappingFromPrevious: a later version declares/);
  });

  it('checks the mapping against the previous version', () => {
    const r = validateDraft(
      { taskType: 'multiclass', labels: [spam, ham], changeNote: 'drop promo', mappingFromPrevious: [] },
      previous,
    );
    expect(r).toEqual({
      ok: false,
      problems: [
        'mappingFromPrevious: previous label "promo" (Promotion) is missing from the new version: keep its id, or declare it renamed, merged, split or removed',
      ],
    });
    const fixed = validateDraft(
      {
        taskType: 'multiclass',
        labels: [spam, ham],
        changeNote: 'drop promo',
        mappingFromPrevious: [{ kind: 'remove', id: 'promo' }],
      },
      previous,
    );
    expect(fixed.ok).toBe(true);
  });

  it('refuses a change of task type', () => {
    const r = validateDraft(
      { taskType: 'multilabel', labels: [spam, ham, promo], changeNote: 'x', mappingFromPrevious: [] },
      previous,
    );
    expect(!r.ok && r.problems).toEqual(['taskType: the task type cannot change (was multiclass, now multilabel)']);
  });

  it('returns schema problems as lines', () => {
    const r = validateDraft({ taskType: 'binary', labels: [spam, ham, promo] }, null);
    expect(!r.ok && r.problems).toEqual([
      'labels: a binary task has exactly 2 labels, got 3: "Spam", "Ham", "Promotion"',
    ]);
  });
});
