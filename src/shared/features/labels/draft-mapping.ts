import type { LabelChange } from './mapping';

/** A label of the version being drafted, and the ids of the previous version it takes over. */
export interface DraftRow {
  id: string;
  comesFrom: string[];
}

/**
 * The changes a drafted version declares, read from where each new label comes from: nothing
 * (add), its own id (kept), another id (rename), several ids (merge). An old id several new labels
 * come from is a split; an old id no new label comes from is removed.
 */
export function changesFromDraft(previousIds: readonly string[], rows: readonly DraftRow[]): LabelChange[] {
  const heirs = new Map<string, string[]>();
  for (const row of rows) for (const from of row.comesFrom) heirs.set(from, [...(heirs.get(from) ?? []), row.id]);
  const changes: LabelChange[] = [];
  const split = new Set<string>();
  for (const [from, to] of heirs) {
    if (to.length > 1) {
      changes.push({ kind: 'split', from, to });
      split.add(from);
    }
  }
  for (const row of rows) {
    const from = row.comesFrom;
    if (from.length === 0) changes.push({ kind: 'add', id: row.id });
    else if (from.length > 1) changes.push({ kind: 'merge', from, to: row.id });
    else if (!split.has(from[0]!) && from[0] !== row.id) changes.push({ kind: 'rename', from: from[0]!, to: row.id });
  }
  for (const id of previousIds) if (!heirs.has(id)) changes.push({ kind: 'remove', id });
  return changes;
}
