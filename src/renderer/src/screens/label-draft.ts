import type { LabelSchemaVersion } from '../../../shared/features/labels/contract';
import type { LabelChange } from '../../../shared/features/labels/mapping';
import { describeChange } from '../../../shared/features/labels/mapping';
import { hotkeyProblem, LabelIdSchema } from '../../../shared/features/labels/schema';

/** A label of the version being drafted. */
export interface DraftRow {
  /** Stable key: the previous version's id, or new-N for an added label. */
  key: string;
  id: string;
  name: string;
  hotkey: string;
  color: string;
  description: string;
  /** Old ids this label takes over (none: a new label). */
  comesFrom: string[];
}

export type RowField = 'id' | 'name' | 'hotkey';
export type RowProblems = Record<string, Partial<Record<RowField, string>>>;

/** Problems per row and field, in words, so each shows beside its field and goes when fixed. */
export function rowProblems(rows: readonly DraftRow[]): RowProblems {
  const out: RowProblems = {};
  const put = (key: string, field: RowField, message: string) => {
    out[key] ??= {};
    out[key][field] ??= message;
  };
  const count = (values: string[]) => {
    const m = new Map<string, number>();
    for (const v of values) if (v) m.set(v, (m.get(v) ?? 0) + 1);
    return m;
  };
  const ids = count(rows.map((r) => r.id.trim()));
  const names = count(rows.map((r) => r.name.trim().toLowerCase()));
  const hotkeys = count(rows.map((r) => r.hotkey.trim().toLowerCase()));
  for (const r of rows) {
    const id = r.id.trim();
    if (!id) put(r.key, 'id', 'Give the label an id (e.g. “positive”).');
    else if (!LabelIdSchema.safeParse(id).success) put(r.key, 'id', 'Use 1–64 lowercase letters, digits, “-” or “_”.');
    else if ((ids.get(id) ?? 0) > 1) put(r.key, 'id', `Another label has the id “${id}”.`);
    const name = r.name.trim();
    if (!name) put(r.key, 'name', 'Give the label a name.');
    else if ((names.get(name.toLowerCase()) ?? 0) > 1) put(r.key, 'name', `Another label is called “${name}”.`);
    const key = r.hotkey.trim().toLowerCase();
    if (key) {
      const problem = hotkeyProblem(key);
      if (problem) put(r.key, 'hotkey', `${problem[0]!.toUpperCase()}${problem.slice(1)}.`);
      else if ((hotkeys.get(key) ?? 0) > 1) put(r.key, 'hotkey', `Another label uses the key “${key}”.`);
    }
  }
  return out;
}

/**
 * The declared changes as people read them: a rename is one line with the old and new names
 * ("Positive → Favourable"), also when only the name changes and the id stays.
 */
export function changeLines(
  previous: LabelSchemaVersion,
  rows: readonly DraftRow[],
  changes: readonly LabelChange[],
): string[] {
  const oldName = new Map(previous.labels.map((l) => [l.id, l.name]));
  const lines: string[] = [];
  for (const c of changes) {
    // A label whose id is still being typed declares nothing yet (its field says what is missing).
    if ((c.kind === 'rename' || c.kind === 'merge') && !c.to) continue;
    if (c.kind === 'add' && !c.id) continue;
    if (c.kind === 'split' && c.to.some((id) => !id)) continue;
    if (c.kind === 'rename') {
      const row = rows.find((r) => r.id === c.to);
      lines.push(`rename ${oldName.get(c.from) ?? c.from} → ${row?.name.trim() || c.to} (id ${c.from} → ${c.to})`);
    } else lines.push(describeChange(c));
  }
  for (const r of rows) {
    const kept = r.comesFrom.length === 1 && r.comesFrom[0] === r.id;
    const before = oldName.get(r.id);
    if (kept && before !== undefined && r.name.trim() && before !== r.name.trim())
      lines.push(`rename ${before} → ${r.name.trim()} (same id ${r.id})`);
  }
  return lines;
}
