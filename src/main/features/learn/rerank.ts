import { seededSample, topK } from '../../../shared/features/mining';
import type { NewQueueItem } from '../../store/queue';

/** A pending item as a refresh finds it. `keep`: queued for another purpose (a second look at a label); left alone. */
export interface PendingItem {
  control: boolean;
  keep: boolean;
}

export interface QueuePlanInput {
  /** The pool's example ids, ascending (row order). */
  ids: Int32Array;
  /** Per row: how unsure the learner is, in [0, 1]. */
  uncertainty: Float64Array;
  /** Rows that may be queued anew: unlabeled, not leased, done or skipped. */
  eligible: Uint8Array;
  pending: ReadonlyMap<number, PendingItem>;
  /** New items to queue (mined and control together). */
  batch: number;
  controlShare: number;
  seed: number;
  /** Cold start: rows in k-center pick order (typical, diverse) instead of the most uncertain. */
  coldOrder: Int32Array | null;
  minedReason: (row: number) => string;
  coldReason: string;
  controlReason: string;
}

export interface QueuePlan {
  /** Every pending item's new place (leased ones meanwhile are left alone when applied). */
  update: { exampleId: number; priority: number; reason: string; control: boolean }[];
  insert: NewQueueItem[];
  queued: number;
  controlQueued: number;
}

function rowOf(ids: Int32Array, id: number): number {
  let lo = 0;
  let hi = ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = ids[mid]!;
    if (v === id) return mid;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

interface Placed {
  exampleId: number;
  priority: number;
  reason: string;
  isNew: boolean;
}

/**
 * Re-ranks the pending queue by the learner and adds a batch: the most uncertain rows (or, at cold
 * start, k-center picks), and a uniform random control sample spread evenly through the ranking so
 * that reviewers working top-down label both as they go. Control items never take their place from
 * the learner: a control sample labeled in uncertainty order would no longer be random.
 */
export function planQueue(input: QueuePlanInput): QueuePlan {
  const { ids, uncertainty, pending } = input;
  const free = Uint8Array.from(input.eligible);
  for (const id of pending.keys()) {
    const r = rowOf(ids, id);
    if (r >= 0) free[r] = 0;
  }
  const controlWant = Math.round(input.batch * input.controlShare);
  const minedWant = input.batch - controlWant;
  const newControl = controlWant > 0 ? seededSample(ids.length, controlWant, input.seed, free) : new Int32Array(0);
  for (const r of newControl) free[r] = 0;

  const mined: Placed[] = [];
  if (input.coldOrder) {
    const picks = Array.from(input.coldOrder)
      .filter((r) => free[r])
      .slice(0, minedWant);
    picks.forEach((r, i) =>
      mined.push({
        exampleId: ids[r]!,
        priority: 2 - i / Math.max(1, picks.length),
        reason: input.coldReason,
        isNew: true,
      }),
    );
    for (const r of picks) free[r] = 0;
  } else if (minedWant > 0) {
    for (const r of topK(uncertainty, minedWant, free))
      mined.push({ exampleId: ids[r]!, priority: uncertainty[r]!, reason: input.minedReason(r), isNew: true });
  }
  const oldControl: number[] = [];
  for (const [id, item] of pending) {
    if (item.keep) continue;
    if (item.control) {
      oldControl.push(id);
      continue;
    }
    const r = rowOf(ids, id);
    if (r < 0) continue;
    mined.push({ exampleId: id, priority: uncertainty[r]!, reason: input.minedReason(r), isNew: false });
  }
  mined.sort((a, b) => b.priority - a.priority || a.exampleId - b.exampleId);

  // Control items, earlier ones first, at every step-th place of the ranking.
  const control = [...oldControl.sort((a, b) => a - b), ...Array.from(newControl, (r) => ids[r]!)];
  const isNewControl = new Set(Array.from(newControl, (r) => ids[r]!));
  const step = input.controlShare > 0 ? Math.max(1, Math.round(1 / input.controlShare)) : Infinity;
  const update: QueuePlan['update'] = [];
  const insert: NewQueueItem[] = [];
  control.forEach((id, j) => {
    const at = Math.min(mined.length, Number.isFinite(step) ? (j + 1) * (step - 1) : mined.length);
    const above = mined[at - 1]?.priority;
    const below = mined[at]?.priority;
    const priority =
      above !== undefined && below !== undefined
        ? (above + below) / 2
        : above !== undefined
          ? above - 1e-6 * (j + 1)
          : (below ?? 1) + 1e-6;
    const item = { exampleId: id, priority, reason: input.controlReason, control: true };
    if (isNewControl.has(id)) insert.push({ ...item, labelsWanted: 1 });
    else update.push(item);
  });
  for (const m of mined) {
    const item = { exampleId: m.exampleId, priority: m.priority, reason: m.reason, control: false };
    if (m.isNew) insert.push({ ...item, labelsWanted: 1 });
    else update.push(item);
  }
  const newMined = mined.filter((m) => m.isNew).length;
  return { update, insert, queued: newMined + newControl.length, controlQueued: newControl.length };
}
