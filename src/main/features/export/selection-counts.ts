import { ApiError } from '../../../shared/api/errors';
import { SPLIT_NAMES, type SplitPolicy } from '../../../shared/features/export/contract';
import { assignSplits, defaultPolicy, SplitError } from '../../../shared/features/export/splits';
import type { ExportPlan, ExportPreview, SplitCounts } from './plan';
import type { Selection } from './select-rows';

// What an export's selection holds per split and label: shared by the preview, computed where it
// is cheapest, and by the manifest of the export itself, so the two always agree.

export function splitNames(policy: SplitPolicy): string[] {
  return policy.kind === 'none' ? ['all'] : [...SPLIT_NAMES];
}

export function resolveSplits(plan: ExportPlan, sel: Selection): { policy: SplitPolicy; split: Uint8Array } {
  try {
    const rows = { ids: sel.externalIds, ts: sel.ts, ...(sel.groups ? { groups: sel.groups } : {}) };
    const policy = plan.split ?? defaultPolicy(rows);
    return { policy, split: assignSplits(rows, policy) };
  } catch (e) {
    if (e instanceof SplitError) throw new ApiError('invalid-input', `split: ${e.message}`, { reason: 'split' });
    throw e;
  }
}

export function counts(sel: Selection, split: Uint8Array, names: string[]): SplitCounts {
  const out: SplitCounts = {};
  for (const name of names) out[name] = { rows: 0, labels: {} };
  for (let i = 0; i < split.length; i++) {
    const c = out[names[split[i]!]!]!;
    c.rows++;
    for (const l of sel.labelSets[sel.labelIndex[i]!]!) c.labels[l] = (c.labels[l] ?? 0) + 1;
  }
  for (const c of Object.values(out))
    c.labels = Object.fromEntries(Object.entries(c.labels).sort(([a], [b]) => (a < b ? -1 : 1)));
  return out;
}

export function labelSources(sel: Selection) {
  let model = 0;
  for (let i = 0; i < sel.source.length; i++) model += sel.source[i]!;
  return { human: sel.source.length - model, model };
}

/** What a preview reports of a selection: rows per split and label, and whose labels they are. */
export function previewOf(plan: ExportPlan, sel: Selection): ExportPreview {
  const { policy, split } = resolveSplits(plan, sel);
  return {
    rows: sel.exampleIds.length,
    split: policy,
    counts: counts(sel, split, splitNames(policy)),
    labelSources: labelSources(sel),
  };
}
