import { carryForwardLabels, planCarryForward, type LabelChange } from './mapping';
import type { Label } from './schema';
import { withDefaultHotkeys } from './schema';

/** Distinct colours that read on light and dark backgrounds. */
export const LABEL_PALETTE = [
  '#e8590c',
  '#2b8a3e',
  '#1971c2',
  '#ae3ec9',
  '#f08c00',
  '#0c8599',
  '#c2255c',
  '#5c940d',
  '#6741d9',
  '#868e96',
];

function slug(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}

/** The first label schema of a project: one label per class, in class order, hotkeys 1–9. */
export function labelsFromClasses(classes: readonly string[]): Label[] {
  const used = new Set<string>();
  const labels = classes.map((name, i) => {
    let id = slug(name) || `label-${i + 1}`;
    for (let n = 2; used.has(id); n++) id = `${slug(name).slice(0, 60) || 'label'}-${n}`;
    used.add(id);
    return { id, name, description: '', hotkey: null, color: LABEL_PALETTE[i % LABEL_PALETTE.length]! };
  });
  return withDefaultHotkeys(labels);
}

/**
 * The label id each model class stands for under the last of `versions` (oldest first, from v1):
 * v1's label for the class, carried through every later version's renames and merges; null where
 * a split or removal leaves the class without one label.
 */
export function classLabelIds(
  classes: readonly string[],
  versions: readonly { mappingFromPrevious: readonly LabelChange[] | null }[],
): (string | null)[] {
  let ids: (string | null)[] = labelsFromClasses(classes).map((l) => l.id);
  for (const v of versions.slice(1)) {
    const plan = planCarryForward(v.mappingFromPrevious ?? []);
    ids = ids.map((id) => (id === null ? null : (carryForwardLabels(plan, [id])?.[0] ?? null)));
  }
  return ids;
}
