/**
 * The current label of an example, derived from its append-only label events (label_events rows).
 *
 * Rules, in the order they apply:
 * 1. Events are read in id order (ids increase with time).
 * 2. `undo` cancels the same annotator's latest event that is not an undo and not yet undone, of
 *    any schema version; several undos walk further back. An undo with nothing left to cancel is
 *    ignored here (writers refuse it first: see assertCanUndo / NothingToUndoError).
 * 3. With `schemaVersionId`, only events recorded under that version count (after step 2, so an
 *    undo recorded under a newer version still cancels what it was aimed at).
 * 4. Each annotator's decision is their last remaining label / accept / reject / skip / flag.
 * 5. The example's resolution: the last remaining `adjudicate` wins over every decision, including
 *    ones recorded after it; without one, the annotators whose decision names a label set agree
 *    ('agreed') or not ('conflict'); nobody named one: 'unlabeled'.
 *
 * Accept / reject: an accept or reject event carries the label that was proposed (e.g. the model's
 * prediction). Accept means "this label is right": it counts as labeling with it. Reject means
 * "this label is wrong": in a binary task (pass `binaryLabels`, the schema's two label ids) that is
 * the other label; in multiclass and multilabel tasks a reject names no label set, so it does not
 * count towards agreement (the example needs a proper label from someone).
 * Skip and flag name no label set either; a flag marks the example `flagged`.
 * A comment is a note beside the decisions: it is neither a decision nor a target of undo.
 * Label sets are compared as sets: order and repeats do not matter (multilabel).
 */
import { z } from 'zod';
import { ApiError } from '../../api/errors';
import type { TaskType } from '../../domain/task';

export const LABEL_ACTIONS = ['label', 'accept', 'reject', 'skip', 'flag', 'comment', 'undo', 'adjudicate'] as const;
export const LabelActionSchema = z.enum(LABEL_ACTIONS);
export type LabelAction = z.infer<typeof LabelActionSchema>;

/** The actions that make up an annotator's own decision on an example. */
export type DecisionAction = Extract<LabelAction, 'label' | 'accept' | 'reject' | 'skip' | 'flag'>;

/** "a label", "an accept". */
function withArticle(word: string): string {
  return `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;
}

/** Actions whose event must carry label ids. */
const NEEDS_LABELS: ReadonlySet<LabelAction> = new Set(['label', 'accept', 'reject', 'adjudicate']);

export const LabelEventSchema = z
  .object({
    id: z.number().int(),
    annotatorId: z.number().int(),
    schemaVersionId: z.number().int(),
    action: LabelActionSchema,
    labels: z.array(z.string()).nullable(),
    createdAt: z.number(),
  })
  .superRefine((e, ctx) => {
    if (NEEDS_LABELS.has(e.action) && e.labels === null) {
      ctx.addIssue({ code: 'custom', path: ['labels'], message: `${withArticle(e.action)} event needs its label ids` });
    }
  });

/** One label_events row as the derivation needs it (labels: the JSON array of label ids). */
export interface LabelEvent {
  id: number;
  annotatorId: number;
  schemaVersionId: number;
  action: LabelAction;
  labels: string[] | null;
  createdAt: number;
}

export interface AnnotatorDecision {
  annotatorId: number;
  action: DecisionAction;
  /** The label set this decision stands for (sorted, no repeats), or null when it names none. */
  labels: string[] | null;
  /** The label ids as recorded on the event (for accept/reject: the proposed label). */
  eventLabels: string[] | null;
  eventId: number;
  schemaVersionId: number;
  createdAt: number;
}

export type Resolution =
  | { status: 'unlabeled' }
  | { status: 'agreed'; labels: string[]; annotatorIds: number[] }
  | { status: 'conflict'; candidates: { labels: string[]; annotatorIds: number[] }[] }
  | { status: 'adjudicated'; labels: string[]; adjudicatorId: number; eventId: number };

export interface CurrentLabels {
  /** One per annotator with a remaining decision, by annotator id. */
  decisions: AnnotatorDecision[];
  resolution: Resolution;
  /** Some annotator's current decision is a flag. */
  flagged: boolean;
}

export interface CurrentLabelsOptions {
  /** Count only events recorded under this schema version. */
  schemaVersionId?: number;
  /** A binary task's two label ids: makes a reject of one mean the other. */
  binaryLabels?: readonly [string, string];
}

/** A label set in canonical form: no repeats, sorted. */
export function normalizeLabels(labels: readonly string[]): string[] {
  return [...new Set(labels)].sort();
}

/** A string that is equal for equal label sets, e.g. to feed agreement measures. */
export function labelSetKey(labels: readonly string[]): string {
  return JSON.stringify(normalizeLabels(labels));
}

function byId(events: readonly LabelEvent[]): LabelEvent[] {
  return [...events].sort((a, b) => a.id - b.id);
}

type UndoFields = Pick<LabelEvent, 'id' | 'annotatorId' | 'action'>;

/** Ids of the events cancelled by undos, and for each annotator the events still standing. */
function applyUndos<E extends UndoFields>(sorted: readonly E[]): { cancelled: Set<number>; stacks: Map<number, E[]> } {
  const cancelled = new Set<number>();
  const stacks = new Map<number, E[]>();
  for (const event of sorted) {
    let stack = stacks.get(event.annotatorId);
    if (stack === undefined) {
      stack = [];
      stacks.set(event.annotatorId, stack);
    }
    if (event.action === 'undo') {
      const target = stack.pop();
      if (target !== undefined) cancelled.add(target.id);
    } else if (event.action !== 'comment') {
      stack.push(event);
    }
  }
  return { cancelled, stacks };
}

function effectiveLabels(event: LabelEvent, binaryLabels: readonly [string, string] | undefined): string[] | null {
  if (event.labels === null) return null;
  switch (event.action) {
    case 'label':
    case 'accept':
    case 'adjudicate':
      return normalizeLabels(event.labels);
    case 'reject': {
      if (binaryLabels === undefined) return null;
      const rejected = normalizeLabels(event.labels);
      const [first, second] = binaryLabels;
      if (rejected.length !== 1) return null;
      if (rejected[0] === first) return [second];
      if (rejected[0] === second) return [first];
      return null;
    }
    default:
      return null;
  }
}

/** Ids of the events that undos cancel, of events in id order (rule 2 above). */
export function undoneEventIds(sorted: readonly UndoFields[]): Set<number> {
  return applyUndos(sorted).cancelled;
}

/** Derives each annotator's decision and the example's resolved label from its events. */
export function currentLabels(events: readonly LabelEvent[], options: CurrentLabelsOptions = {}): CurrentLabels {
  const sorted = byId(events);
  const { cancelled } = applyUndos(sorted);
  const live = sorted.filter(
    (e) =>
      e.action !== 'undo' &&
      e.action !== 'comment' &&
      !cancelled.has(e.id) &&
      (options.schemaVersionId === undefined || e.schemaVersionId === options.schemaVersionId),
  );

  const latest = new Map<number, LabelEvent>();
  let adjudication: LabelEvent | undefined;
  for (const event of live) {
    if (event.action === 'adjudicate') adjudication = event;
    else latest.set(event.annotatorId, event);
  }

  const decisions: AnnotatorDecision[] = [...latest.values()]
    .sort((a, b) => a.annotatorId - b.annotatorId)
    .map((e) => ({
      annotatorId: e.annotatorId,
      action: e.action as DecisionAction,
      labels: effectiveLabels(e, options.binaryLabels),
      eventLabels: e.labels === null ? null : [...e.labels],
      eventId: e.id,
      schemaVersionId: e.schemaVersionId,
      createdAt: e.createdAt,
    }));
  const flagged = decisions.some((d) => d.action === 'flag');

  const adjudicated = adjudication === undefined ? null : effectiveLabels(adjudication, options.binaryLabels);
  if (adjudication !== undefined && adjudicated !== null) {
    return {
      decisions,
      flagged,
      resolution: {
        status: 'adjudicated',
        labels: adjudicated,
        adjudicatorId: adjudication.annotatorId,
        eventId: adjudication.id,
      },
    };
  }

  const groups = new Map<string, { labels: string[]; annotatorIds: number[] }>();
  for (const d of decisions) {
    if (d.labels === null) continue;
    const key = labelSetKey(d.labels);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { labels: d.labels, annotatorIds: [d.annotatorId] });
    else group.annotatorIds.push(d.annotatorId);
  }
  const candidates = [...groups.values()];
  const [only] = candidates;
  let resolution: Resolution;
  if (only === undefined) resolution = { status: 'unlabeled' };
  else if (candidates.length === 1) resolution = { status: 'agreed', ...only };
  else resolution = { status: 'conflict', candidates };
  return { decisions, flagged, resolution };
}

/**
 * Each annotator's label set as a labelSetKey, for annotators whose decision names one: the values
 * of one unit for cohensKappa / krippendorffAlpha.
 */
export function agreementValues(current: CurrentLabels): Map<number, string> {
  const values = new Map<number, string>();
  for (const d of current.decisions) if (d.labels !== null) values.set(d.annotatorId, labelSetKey(d.labels));
  return values;
}

/**
 * Raised when an annotator asks to undo on an example where they have nothing left to undo.
 * An ApiError ('conflict', details.reason 'nothing-to-undo'), so it crosses IPC/HTTP as data.
 */
export class NothingToUndoError extends ApiError {
  readonly reason = 'nothing-to-undo';
  constructor(readonly annotatorId: number) {
    super('conflict', `nothing to undo: annotator ${annotatorId} has no event left to undo on this example`, {
      reason: 'nothing-to-undo',
      annotatorId,
    });
    this.name = 'NothingToUndoError';
  }
}

/** The event an undo by this annotator would cancel now, or null when there is none. */
export function undoTarget(events: readonly LabelEvent[], annotatorId: number): LabelEvent | null {
  const { stacks } = applyUndos(byId(events));
  return stacks.get(annotatorId)?.at(-1) ?? null;
}

export function canUndo(events: readonly LabelEvent[], annotatorId: number): boolean {
  return undoTarget(events, annotatorId) !== null;
}

/** The event an undo would cancel; throws NothingToUndoError when there is none. */
export function assertCanUndo(events: readonly LabelEvent[], annotatorId: number): LabelEvent {
  const target = undoTarget(events, annotatorId);
  if (target === null) throw new NothingToUndoError(annotatorId);
  return target;
}

/**
 * Problems with the label ids of a new event under a schema version (empty when fine):
 * label / accept / reject / adjudicate carry known ids without repeats, exactly one for binary and
 * multiclass tasks, at least one for accept / reject, any number (even none) for a multilabel
 * label or adjudication. Skip and undo carry none; a flag may carry known ids (ignored by the
 * derivation).
 */
export function checkEventLabels(
  taskType: TaskType,
  schemaLabelIds: readonly string[],
  action: LabelAction,
  labels: readonly string[] | null,
): string[] {
  if (action === 'skip' || action === 'undo' || action === 'comment') {
    return labels === null || labels.length === 0 ? [] : [`${withArticle(action)} event carries no labels`];
  }
  if (labels === null) return action === 'flag' ? [] : [`${withArticle(action)} event needs its label ids`];
  const problems: string[] = [];
  const known = new Set(schemaLabelIds);
  const unknown = labels.filter((l) => !known.has(l));
  if (unknown.length > 0) {
    problems.push(
      `not in this schema version: ${unknown.map((l) => JSON.stringify(l)).join(', ')} (labels: ${schemaLabelIds.join(', ')})`,
    );
  }
  if (new Set(labels).size !== labels.length) problems.push('a label id is given twice');
  if (action === 'flag') return problems;
  if (taskType !== 'multilabel' && labels.length !== 1) {
    problems.push(`a ${taskType} ${action} names exactly one label, got ${labels.length}`);
  } else if ((action === 'accept' || action === 'reject') && labels.length === 0) {
    problems.push(`${withArticle(action)} names the proposed label`);
  }
  return problems;
}
