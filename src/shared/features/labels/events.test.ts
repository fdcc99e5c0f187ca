import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import {
  LabelEventSchema,
  NothingToUndoError,
  agreementValues,
  assertCanUndo,
  canUndo,
  checkEventLabels,
  currentLabels,
  labelSetKey,
  undoTarget,
  type LabelAction,
  type LabelEvent,
} from './index';

const ANN = 1;
const BOB = 2;
const ADJ = 9;

/** Builds events with increasing ids; `schemaVersionId` 1 unless given. */
function history(...steps: [number, LabelAction, string[] | null, number?][]): LabelEvent[] {
  return steps.map(([annotatorId, action, labels, schemaVersionId], i) => ({
    id: i + 1,
    annotatorId,
    schemaVersionId: schemaVersionId ?? 1,
    action,
    labels,
    createdAt: 1_700_000_000_000 + i * 1000,
  }));
}

describe('currentLabels', () => {
  it('is unlabeled without events', () => {
    expect(currentLabels([])).toEqual({ decisions: [], resolution: { status: 'unlabeled' }, flagged: false });
  });

  it('takes the latest label of one annotator', () => {
    const r = currentLabels(history([ANN, 'label', ['spam']], [ANN, 'label', ['ham']]));
    expect(r.resolution).toEqual({ status: 'agreed', labels: ['ham'], annotatorIds: [ANN] });
    expect(r.decisions).toHaveLength(1);
    expect(r.decisions[0]).toMatchObject({ annotatorId: ANN, action: 'label', labels: ['ham'], eventId: 2 });
  });

  it('label → undo → label', () => {
    const events = history([ANN, 'label', ['spam']], [ANN, 'undo', null], [ANN, 'label', ['ham']]);
    expect(currentLabels(events.slice(0, 2)).resolution).toEqual({ status: 'unlabeled' });
    expect(currentLabels(events).resolution).toEqual({ status: 'agreed', labels: ['ham'], annotatorIds: [ANN] });
  });

  it('two undos walk back two events', () => {
    const events = history(
      [ANN, 'label', ['spam']],
      [ANN, 'label', ['ham']],
      [ANN, 'label', ['promo']],
      [ANN, 'undo', null],
      [ANN, 'undo', null],
    );
    expect(currentLabels(events).resolution).toEqual({ status: 'agreed', labels: ['spam'], annotatorIds: [ANN] });
    // A third undo cancels the first label; a fourth finds nothing and is ignored.
    const more = [...events, ...history([ANN, 'undo', null], [ANN, 'undo', null]).map((e) => ({ ...e, id: e.id + 5 }))];
    expect(currentLabels(more).resolution).toEqual({ status: 'unlabeled' });
  });

  it("an undo only touches the annotator's own events", () => {
    const events = history([ANN, 'label', ['spam']], [BOB, 'label', ['ham']], [ANN, 'undo', null]);
    expect(currentLabels(events).resolution).toEqual({ status: 'agreed', labels: ['ham'], annotatorIds: [BOB] });
  });

  it('reads events in id order whatever order they come in', () => {
    const events = history([ANN, 'label', ['spam']], [ANN, 'label', ['ham']]).reverse();
    expect(currentLabels(events).resolution).toMatchObject({ labels: ['ham'] });
  });

  it('a skip replaces the decision and names no label', () => {
    const events = history([ANN, 'label', ['spam']], [ANN, 'skip', null]);
    const r = currentLabels(events);
    expect(r.resolution).toEqual({ status: 'unlabeled' });
    expect(r.decisions).toMatchObject([{ annotatorId: ANN, action: 'skip', labels: null }]);
    // Another annotator's label stands on its own.
    expect(
      currentLabels([...events, ...history([BOB, 'label', ['ham']]).map((e) => ({ ...e, id: 3 }))]).resolution,
    ).toEqual({
      status: 'agreed',
      labels: ['ham'],
      annotatorIds: [BOB],
    });
  });

  it('a flag marks the example and names no label; undoing the skip brings the label back', () => {
    expect(currentLabels(history([ANN, 'flag', null])).flagged).toBe(true);
    const r = currentLabels(history([ANN, 'label', ['spam']], [ANN, 'skip', null], [ANN, 'undo', null]));
    expect(r.resolution).toEqual({ status: 'agreed', labels: ['spam'], annotatorIds: [ANN] });
    expect(r.flagged).toBe(false);
  });

  it('two annotators who agree', () => {
    const r = currentLabels(history([ANN, 'label', ['spam']], [BOB, 'label', ['spam']]));
    expect(r.resolution).toEqual({ status: 'agreed', labels: ['spam'], annotatorIds: [ANN, BOB] });
    expect(agreementValues(r)).toEqual(
      new Map([
        [ANN, '["spam"]'],
        [BOB, '["spam"]'],
      ]),
    );
  });

  it('compares multilabel sets ignoring order and repeats', () => {
    const r = currentLabels(history([ANN, 'label', ['b', 'a']], [BOB, 'label', ['a', 'b', 'a']], [3, 'label', []]));
    expect(r.resolution).toEqual({
      status: 'conflict',
      candidates: [
        { labels: ['a', 'b'], annotatorIds: [ANN, BOB] },
        { labels: [], annotatorIds: [3] },
      ],
    });
    expect(labelSetKey(['b', 'a', 'b'])).toBe(labelSetKey(['a', 'b']));
  });

  it('a disagreement is a conflict, and an adjudication settles it', () => {
    const events = history([ANN, 'label', ['spam']], [BOB, 'label', ['ham']]);
    expect(currentLabels(events).resolution).toEqual({
      status: 'conflict',
      candidates: [
        { labels: ['spam'], annotatorIds: [ANN] },
        { labels: ['ham'], annotatorIds: [BOB] },
      ],
    });
    const settled = [...events, ...history([ADJ, 'adjudicate', ['ham']]).map((e) => ({ ...e, id: 3 }))];
    const r = currentLabels(settled);
    expect(r.resolution).toEqual({ status: 'adjudicated', labels: ['ham'], adjudicatorId: ADJ, eventId: 3 });
    // The annotators' own decisions are still reported.
    expect(r.decisions.map((d) => d.labels)).toEqual([['spam'], ['ham']]);
  });

  it('an adjudication wins over labels recorded after it; the latest adjudication counts; it can be undone', () => {
    const events = history(
      [ANN, 'label', ['spam']],
      [BOB, 'label', ['ham']],
      [ADJ, 'adjudicate', ['ham']],
      [ANN, 'label', ['promo']],
    );
    expect(currentLabels(events).resolution).toMatchObject({ status: 'adjudicated', labels: ['ham'] });
    const again = history(
      [ANN, 'label', ['spam']],
      [ADJ, 'adjudicate', ['ham']],
      [ADJ, 'adjudicate', ['spam']],
      [ADJ, 'undo', null],
    );
    expect(currentLabels(again).resolution).toMatchObject({ status: 'adjudicated', labels: ['ham'], eventId: 2 });
    const undone = [...again, ...history([ADJ, 'undo', null]).map((e) => ({ ...e, id: 5 }))];
    expect(currentLabels(undone).resolution).toEqual({ status: 'agreed', labels: ['spam'], annotatorIds: [ANN] });
  });

  it('filters by schema version after applying undos', () => {
    const events = history(
      [ANN, 'label', ['spam'], 1],
      [BOB, 'label', ['ham'], 1],
      [ANN, 'label', ['junk'], 2],
      [BOB, 'label', ['junk'], 2],
      [BOB, 'undo', null, 2],
    );
    expect(currentLabels(events, { schemaVersionId: 1 }).resolution).toEqual({
      status: 'conflict',
      candidates: [
        { labels: ['spam'], annotatorIds: [ANN] },
        { labels: ['ham'], annotatorIds: [BOB] },
      ],
    });
    expect(currentLabels(events, { schemaVersionId: 2 }).resolution).toEqual({
      status: 'agreed',
      labels: ['junk'],
      annotatorIds: [ANN],
    });
    expect(currentLabels(events, { schemaVersionId: 3 }).resolution).toEqual({ status: 'unlabeled' });
    // Without a filter every version counts: Bob's v1 label is his latest remaining decision.
    expect(currentLabels(events).resolution).toMatchObject({ status: 'conflict' });
  });

  describe('accept and reject', () => {
    const binaryLabels = ['ham', 'spam'] as const;

    it('accept counts as the proposed label', () => {
      const r = currentLabels(history([ANN, 'accept', ['spam']], [BOB, 'label', ['spam']]));
      expect(r.resolution).toEqual({ status: 'agreed', labels: ['spam'], annotatorIds: [ANN, BOB] });
      expect(r.decisions[0]).toMatchObject({ action: 'accept', labels: ['spam'], eventLabels: ['spam'] });
    });

    it('in a binary task a reject means the other label', () => {
      const events = history([ANN, 'reject', ['spam']], [BOB, 'accept', ['ham']]);
      expect(currentLabels(events, { binaryLabels }).resolution).toEqual({
        status: 'agreed',
        labels: ['ham'],
        annotatorIds: [ANN, BOB],
      });
      expect(currentLabels(history([ANN, 'reject', ['ham']]), { binaryLabels }).resolution).toMatchObject({
        labels: ['spam'],
      });
    });

    it('without binary labels a reject names no label set', () => {
      const r = currentLabels(history([ANN, 'reject', ['spam']], [BOB, 'label', ['promo']]));
      expect(r.resolution).toEqual({ status: 'agreed', labels: ['promo'], annotatorIds: [BOB] });
      expect(r.decisions[0]).toMatchObject({ action: 'reject', labels: null, eventLabels: ['spam'] });
    });

    it('a reject of a label outside the binary pair names nothing', () => {
      expect(currentLabels(history([ANN, 'reject', ['promo']]), { binaryLabels }).resolution).toEqual({
        status: 'unlabeled',
      });
    });
  });
});

describe('undo', () => {
  it('can undo only what is there', () => {
    expect(canUndo([], ANN)).toBe(false);
    const events = history([ANN, 'label', ['spam']], [BOB, 'label', ['ham']]);
    expect(canUndo(events, ANN)).toBe(true);
    expect(canUndo(events, 3)).toBe(false);
    expect(undoTarget(events, ANN)?.id).toBe(1);
    const undone = [...events, ...history([ANN, 'undo', null]).map((e) => ({ ...e, id: 3 }))];
    expect(canUndo(undone, ANN)).toBe(false);
    expect(canUndo(undone, BOB)).toBe(true);
  });

  it('walks back through skips and flags too', () => {
    const events = history([ANN, 'label', ['spam']], [ANN, 'flag', null], [ANN, 'undo', null]);
    expect(undoTarget(events, ANN)?.action).toBe('label');
  });

  it('throws a clear error when there is nothing to undo', () => {
    const events = history([ANN, 'label', ['spam']], [ANN, 'undo', null]);
    expect(() => assertCanUndo(events, ANN)).toThrow(NothingToUndoError);
    try {
      assertCanUndo(events, ANN);
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({
        code: 'conflict',
        reason: 'nothing-to-undo',
        annotatorId: ANN,
        message: 'nothing to undo: annotator 1 has no event left to undo on this example',
      });
      expect((error as ApiError).toData().details).toEqual({ reason: 'nothing-to-undo', annotatorId: ANN });
    }
    expect(assertCanUndo(history([BOB, 'skip', null]), BOB).action).toBe('skip');
  });
});

describe('event validation', () => {
  it('needs label ids on label, accept, reject and adjudicate events', () => {
    const base = { id: 1, annotatorId: 1, schemaVersionId: 1, createdAt: 0 };
    expect(LabelEventSchema.safeParse({ ...base, action: 'label', labels: ['a'] }).success).toBe(true);
    expect(LabelEventSchema.safeParse({ ...base, action: 'undo', labels: null }).success).toBe(true);
    const r = LabelEventSchema.safeParse({ ...base, action: 'adjudicate', labels: null });
    expect(r.error?.issues[0]).toMatchObject({ path: ['labels'], message: 'an adjudicate event needs its label ids' });
    expect(LabelEventSchema.safeParse({ ...base, action: 'comment', labels: null }).success).toBe(true);
    expect(LabelEventSchema.safeParse({ ...base, action: 'remark', labels: null }).success).toBe(false);
  });

  it('treats a comment as a note: neither a decision nor what an undo cancels', () => {
    const ev = (id: number, action: LabelEvent['action'], labels: string[] | null = null): LabelEvent => ({
      id,
      annotatorId: 1,
      schemaVersionId: 1,
      action,
      labels,
      createdAt: id,
    });
    const events = [ev(1, 'label', ['a']), ev(2, 'comment')];
    expect(currentLabels(events).resolution).toMatchObject({ status: 'agreed', labels: ['a'] });
    expect(undoTarget(events, 1)?.id).toBe(1);
  });

  it('checks label ids against the schema version and the task type', () => {
    const ids = ['ham', 'spam'];
    expect(checkEventLabels('binary', ids, 'label', ['spam'])).toEqual([]);
    expect(checkEventLabels('binary', ids, 'label', ['junk'])).toEqual([
      'not in this schema version: "junk" (labels: ham, spam)',
    ]);
    expect(checkEventLabels('multiclass', ids, 'label', ['ham', 'spam'])).toEqual([
      'a multiclass label names exactly one label, got 2',
    ]);
    expect(checkEventLabels('multilabel', ids, 'label', ['ham', 'spam'])).toEqual([]);
    expect(checkEventLabels('multilabel', ids, 'label', [])).toEqual([]);
    expect(checkEventLabels('multilabel', ids, 'label', ['ham', 'ham'])).toEqual(['a label id is given twice']);
    expect(checkEventLabels('multilabel', ids, 'accept', [])).toEqual(['an accept names the proposed label']);
    expect(checkEventLabels('binary', ids, 'reject', null)).toEqual(['a reject event needs its label ids']);
    expect(checkEventLabels('binary', ids, 'skip', null)).toEqual([]);
    expect(checkEventLabels('binary', ids, 'undo', ['spam'])).toEqual(['an undo event carries no labels']);
    expect(checkEventLabels('binary', ids, 'flag', null)).toEqual([]);
    expect(checkEventLabels('binary', ids, 'flag', ['nope'])).toHaveLength(1);
  });
});
