import { ApiError } from '../../../shared/api/errors';
import type { CurrentLabels, LabelAction } from '../../../shared/features/labels';
import type { Context } from '../../core/context';

/** Refuses a save on an example whose queue item someone else holds under an unexpired lease. */
export function assertNotLeasedToOther(
  ctx: Context,
  projectId: number,
  exampleId: number,
  annotatorId: number,
  now: number,
) {
  const item = ctx.store.queue.forExample(projectId, exampleId);
  if (!item || item.status !== 'leased' || item.lease_annotator === annotatorId) return;
  if ((item.lease_expires_at ?? 0) <= now) return;
  throw new ApiError(
    'conflict',
    `example '${item.external_id}' is leased to ${item.lease_annotator_name ?? 'another annotator'} until ${new Date(item.lease_expires_at!).toISOString()}`,
    { reason: 'leased', annotator: item.lease_annotator_name, expiresAt: item.lease_expires_at },
  );
}

/**
 * Decisions that count towards an item's wanted labels: those that name a label. A reject does so
 * only in a binary task (it means the other label); elsewhere it leaves the example unlabeled.
 */
function labelsGiven(current: CurrentLabels): number {
  return current.decisions.filter(
    (d) => (d.action === 'label' || d.action === 'accept' || d.action === 'reject') && d.labels !== null,
  ).length;
}

/**
 * Moves the example's queue item after a new event, in the same transaction: done once enough
 * annotators decided it (or it was adjudicated), pending again when a second label is wanted,
 * skipped on a skip, and back to the annotator after an undo so they can decide it again.
 */
export function updateQueueItem(
  ctx: Context,
  projectId: number,
  exampleId: number,
  annotatorId: number,
  action: LabelAction,
  current: CurrentLabels,
  leaseMs: number,
  now: number,
): void {
  const queue = ctx.store.queue;
  const item = queue.forExample(projectId, exampleId);
  if (!item) return;
  if (action === 'flag' || action === 'comment') return;
  if (current.resolution.status === 'adjudicated' || labelsGiven(current) >= item.labels_wanted) {
    queue.setStatus(item.id, 'done');
  } else if (action === 'skip') {
    queue.setStatus(item.id, 'skipped');
  } else if (action === 'undo') {
    // Back to this annotator in whichever session they are in (the earlier decision cleared it).
    queue.lease(item.id, annotatorId, null, now + leaseMs);
  } else {
    queue.setStatus(item.id, 'pending');
  }
}
