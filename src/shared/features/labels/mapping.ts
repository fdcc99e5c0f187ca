/**
 * How a label schema version relates to the previous one.
 *
 * Labels are matched by id. A label whose id is in both versions and that no change names is
 * "kept" (its name, colour, hotkey or description may still differ: see diffVersions). Everything
 * else is declared: rename (id change), merge (several old labels become one), split (one old label
 * becomes several), add (a new label), remove (an old label goes away).
 */
import { z } from 'zod';
import type { Label, LabelSetVersion } from './schema';

/** Ids here are only checked for shape; checkMapping checks they exist in the right version. */
const ChangeIdSchema = z.string().min(1).max(64);

export const LabelChangeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('rename'), from: ChangeIdSchema, to: ChangeIdSchema }),
  z.object({
    kind: z.literal('merge'),
    from: z.array(ChangeIdSchema).min(2, 'a merge joins at least 2 labels'),
    to: ChangeIdSchema,
  }),
  z.object({
    kind: z.literal('split'),
    from: ChangeIdSchema,
    to: z.array(ChangeIdSchema).min(2, 'a split makes at least 2 labels'),
  }),
  z.object({ kind: z.literal('add'), id: ChangeIdSchema }),
  z.object({ kind: z.literal('remove'), id: ChangeIdSchema }),
]);
export type LabelChange = z.infer<typeof LabelChangeSchema>;

type LabelRef = Pick<Label, 'id' | 'name'>;

/** One change as text: `merge "spam" + "phishing" → "junk"`. */
export function describeChange(change: LabelChange): string {
  const q = (id: string) => JSON.stringify(id);
  switch (change.kind) {
    case 'rename':
      return `rename ${q(change.from)} → ${q(change.to)}`;
    case 'merge':
      return `merge ${change.from.map(q).join(' + ')} → ${q(change.to)}`;
    case 'split':
      return `split ${q(change.from)} → ${change.to.map(q).join(', ')}`;
    case 'add':
      return `add ${q(change.id)}`;
    case 'remove':
      return `remove ${q(change.id)}`;
  }
}

/** The old ids a change consumes and the new ids it produces. */
function sides(change: LabelChange): { before: string[]; after: string[] } {
  switch (change.kind) {
    case 'rename':
      return { before: [change.from], after: [change.to] };
    case 'merge':
      return { before: change.from, after: [change.to] };
    case 'split':
      return { before: [change.from], after: change.to };
    case 'add':
      return { before: [], after: [change.id] };
    case 'remove':
      return { before: [change.id], after: [] };
  }
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/**
 * Problems with a declared mapping, as sentences that name the labels; empty when it is complete.
 * Every previous label is accounted for exactly once (kept under the same id, renamed, merged,
 * split or removed) and so is every new label (kept, the target of a rename, merge or split, or
 * added). A label kept under its id counts as used, so e.g. `add "x"` while "x" is still there is a
 * double use.
 */
export function checkMapping(
  previous: readonly LabelRef[],
  next: readonly LabelRef[],
  changes: readonly LabelChange[],
): string[] {
  const problems: string[] = [];
  const prevById = new Map(previous.map((l) => [l.id, l]));
  const nextById = new Map(next.map((l) => [l.id, l]));
  const prevUses = new Map<string, string[]>();
  const nextUses = new Map<string, string[]>();

  for (const change of changes) {
    const text = describeChange(change);
    const { before, after } = sides(change);
    if (change.kind === 'rename' && change.from === change.to) {
      problems.push(`${text}: the id does not change; a new name under the same id needs no mapping`);
    }
    for (const id of before) {
      if (!prevById.has(id)) problems.push(`${text}: ${JSON.stringify(id)} is not a label of the previous version`);
      else push(prevUses, id, text);
    }
    for (const id of after) {
      if (!nextById.has(id)) problems.push(`${text}: ${JSON.stringify(id)} is not a label of the new version`);
      else push(nextUses, id, text);
    }
  }
  // Implicit keep: same id on both sides and the old label is not consumed by any change.
  for (const { id } of previous) {
    if (nextById.has(id) && !prevUses.has(id)) {
      push(prevUses, id, 'kept');
      push(nextUses, id, 'kept');
    }
  }

  const ref = (l: LabelRef) => `${JSON.stringify(l.id)} (${l.name})`;
  for (const label of previous) {
    const uses = prevUses.get(label.id) ?? [];
    if (uses.length === 0) {
      problems.push(
        `previous label ${ref(label)} is missing from the new version: keep its id, or declare it renamed, merged, split or removed`,
      );
    } else if (uses.length > 1) {
      problems.push(`previous label ${ref(label)} is used ${uses.length} times: ${uses.join('; ')}`);
    }
  }
  for (const label of next) {
    const uses = nextUses.get(label.id) ?? [];
    if (uses.length === 0) {
      problems.push(
        `new label ${ref(label)} is not accounted for: declare it added, or the target of a rename, merge or split`,
      );
    } else if (uses.length > 1) {
      problems.push(`new label ${ref(label)} is used ${uses.length} times: ${uses.join('; ')}`);
    }
  }
  return problems;
}

/**
 * What happens to existing labels when a new version takes over.
 * - `carry`: old id → new id for renames and merges; those labels carry forward as they are.
 * - `requeue`: old ids whose examples go back to the queue to be labeled again. A split label is
 *   ambiguous (which of the new labels?) and so is a removed one (the example may now belong to
 *   another label, or to one added in the same version), so both are requeued rather than dropped.
 * Labels not named by any change keep their id (kept labels carry as themselves).
 */
export interface CarryForwardPlan {
  carry: Map<string, string>;
  requeue: Set<string>;
}

export function planCarryForward(changes: readonly LabelChange[]): CarryForwardPlan {
  const carry = new Map<string, string>();
  const requeue = new Set<string>();
  for (const change of changes) {
    switch (change.kind) {
      case 'rename':
        carry.set(change.from, change.to);
        break;
      case 'merge':
        for (const id of change.from) carry.set(id, change.to);
        break;
      case 'split':
        requeue.add(change.from);
        break;
      case 'remove':
        requeue.add(change.id);
        break;
      case 'add':
        break;
    }
  }
  return { carry, requeue };
}

/**
 * One example's label set under the new version, or null when the example goes back to the queue
 * (any of its labels was split or removed; for multilabel the whole set is asked again). Ids merged
 * into one collapse to a single entry; the order of first appearance is kept.
 */
export function carryForwardLabels(plan: CarryForwardPlan, labels: readonly string[]): string[] | null {
  const out: string[] = [];
  for (const id of labels) {
    if (plan.requeue.has(id)) return null;
    const mapped = plan.carry.get(id) ?? id;
    if (!out.includes(mapped)) out.push(mapped);
  }
  return out;
}

export interface FieldChange<T> {
  id: string;
  from: T;
  to: T;
}

/** What changed between two versions, label by label (matched by id). */
export interface SchemaDiff {
  added: Label[];
  removed: Label[];
  /** Same id, new name. (An id change is a declared rename: it shows here as removed + added.) */
  renamed: FieldChange<string>[];
  recolored: FieldChange<string>[];
  rehotkeyed: FieldChange<string | null>[];
  descriptionChanged: FieldChange<string>[];
  /** The labels both versions share come in another order (for binary tasks the order is meaningful). */
  reordered: boolean;
  guidelinesChanged: boolean;
}

export function diffVersions(
  previous: Pick<LabelSetVersion, 'labels' | 'guidelines'>,
  next: Pick<LabelSetVersion, 'labels' | 'guidelines'>,
): SchemaDiff {
  const prevById = new Map(previous.labels.map((l) => [l.id, l]));
  const nextIds = new Set(next.labels.map((l) => l.id));
  const diff: SchemaDiff = {
    added: [],
    removed: previous.labels.filter((l) => !nextIds.has(l.id)),
    renamed: [],
    recolored: [],
    rehotkeyed: [],
    descriptionChanged: [],
    reordered: false,
    guidelinesChanged: previous.guidelines !== next.guidelines,
  };
  for (const label of next.labels) {
    const before = prevById.get(label.id);
    if (before === undefined) {
      diff.added.push(label);
      continue;
    }
    const { id } = label;
    if (before.name !== label.name) diff.renamed.push({ id, from: before.name, to: label.name });
    if (before.color !== label.color) diff.recolored.push({ id, from: before.color, to: label.color });
    if (before.hotkey !== label.hotkey) diff.rehotkeyed.push({ id, from: before.hotkey, to: label.hotkey });
    if (before.description !== label.description) {
      diff.descriptionChanged.push({ id, from: before.description, to: label.description });
    }
  }
  const shared = (labels: readonly Label[], other: Set<string>) =>
    labels.filter((l) => other.has(l.id)).map((l) => l.id);
  const prevOrder = shared(previous.labels, nextIds);
  const nextOrder = shared(next.labels, new Set(prevById.keys()));
  diff.reordered = prevOrder.some((id, i) => nextOrder[i] !== id);
  return diff;
}

export function isEmptyDiff(diff: SchemaDiff): boolean {
  return (
    diff.added.length === 0 &&
    diff.removed.length === 0 &&
    diff.renamed.length === 0 &&
    diff.recolored.length === 0 &&
    diff.rehotkeyed.length === 0 &&
    diff.descriptionChanged.length === 0 &&
    !diff.reordered &&
    !diff.guidelinesChanged
  );
}

/** The diff as lines for a CLI or a list in the UI: "+" added, "-" removed, "~" changed. */
export function describeDiff(diff: SchemaDiff): string[] {
  const q = (s: string) => JSON.stringify(s);
  const key = (k: string | null) => (k === null ? 'none' : k);
  const lines: string[] = [];
  for (const l of diff.added) lines.push(`+ added ${q(l.id)} (${l.name})`);
  for (const l of diff.removed) lines.push(`- removed ${q(l.id)} (${l.name})`);
  for (const c of diff.renamed) lines.push(`~ renamed ${q(c.id)}: ${q(c.from)} → ${q(c.to)}`);
  for (const c of diff.recolored) lines.push(`~ recolored ${q(c.id)}: ${c.from} → ${c.to}`);
  for (const c of diff.rehotkeyed) lines.push(`~ hotkey of ${q(c.id)}: ${key(c.from)} → ${key(c.to)}`);
  for (const c of diff.descriptionChanged) lines.push(`~ description of ${q(c.id)} changed`);
  if (diff.reordered) lines.push('~ label order changed');
  if (diff.guidelinesChanged) lines.push('~ guidelines changed');
  return lines.length === 0 ? ['no changes'] : lines;
}
