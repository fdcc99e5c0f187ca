import type { LabelAction, CurrentLabels } from '../../../shared/features/labels';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import { recordPrequential } from './prequential';
import { refreshIfDue } from './refresh-job';

const DECISIONS = new Set<LabelAction>(['label', 'accept', 'reject', 'adjudicate']);

/** What the learner does once a label is saved: score it prequentially, and schedule a refresh when due. */
export function afterLabel(
  ctx: Context,
  project: Project,
  exampleId: number,
  eventId: number,
  action: LabelAction,
  current: CurrentLabels,
): void {
  if (!DECISIONS.has(action) || !ctx.store.learn.config(project.id)) return;
  try {
    recordPrequential(ctx, project, exampleId, eventId, current);
  } catch {
    // The label is saved whatever the meter's record does; a missing point only narrows the meter.
  }
  refreshIfDue(ctx, project.id);
}
