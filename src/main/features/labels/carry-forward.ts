import { carryForwardLabels, currentLabels, planCarryForward } from '../../../shared/features/labels';
import type { LabelSchemaVersion } from '../../../shared/features/labels/contract';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import { derivationOptions } from './derivation';

/** The annotator profile that records carried-forward labels; never a person's name. */
export const CARRY_FORWARD_ANNOTATOR = '(schema carry-forward)';

export interface CarryForwardOutcome {
  /** Examples whose resolved label was renamed, merged or kept: recorded under the new version. */
  carried: number;
  /** Examples whose label was split or removed: back in the queue, to be labeled again. */
  requeued: number;
  /** Examples whose annotators disagreed and nobody adjudicated: left to be mined again. */
  unresolved: number;
}

/**
 * Moves every resolved label of the previous version to the new one, inside the caller's
 * transaction. A renamed, merged or kept label is recorded as an adjudication by the carry-forward
 * profile (so it is final and does not count towards annotator agreement); an example whose label
 * was split or removed goes back to the queue with the reason.
 */
export function carryForward(
  ctx: Context,
  project: Project,
  previous: LabelSchemaVersion,
  next: LabelSchemaVersion,
): CarryForwardOutcome {
  const plan = planCarryForward(next.mappingFromPrevious ?? []);
  const options = { ...derivationOptions(project, previous), schemaVersionId: previous.id };
  const events = ctx.store.labelEvents;
  const out: CarryForwardOutcome = { carried: 0, requeued: 0, unresolved: 0 };
  const requeue: { exampleId: number; reason: string }[] = [];
  let carrierId: number | null = null;
  const now = Date.now();
  for (const [exampleId, { events: history }] of events.byExample(project.id)) {
    const resolution = currentLabels(history, options).resolution;
    if (resolution.status === 'unlabeled') continue;
    if (resolution.status === 'conflict') {
      out.unresolved++;
      continue;
    }
    const carried = carryForwardLabels(plan, resolution.labels);
    if (carried === null) {
      const gone = resolution.labels.filter((l) => plan.requeue.has(l));
      requeue.push({
        exampleId,
        reason: `label ${gone.map((l) => `'${l}'`).join(', ')} was split or removed in v${next.version}: label again`,
      });
      continue;
    }
    carrierId ??= events.annotatorId(CARRY_FORWARD_ANNOTATOR);
    events.append({
      projectId: project.id,
      exampleId,
      annotatorId: carrierId,
      schemaVersionId: next.id,
      action: 'adjudicate',
      labels: carried,
      comment: `carried forward from v${previous.version}`,
      timeSpentMs: null,
      clientEventId: null,
    });
    out.carried++;
  }
  if (requeue.length > 0) {
    const runId = ctx.store.mining.createRun(
      project.id,
      {
        strategy: 'schema-change',
        params: { fromVersion: previous.version, toVersion: next.version, labels: [...plan.requeue] },
        modelRuns: [],
        filters: {},
      },
      now,
    );
    out.requeued = ctx.store.queue.requeue(project.id, runId, requeue, now);
    ctx.store.mining.finishRun(runId, out.requeued, { requeued: out.requeued });
  }
  return out;
}
