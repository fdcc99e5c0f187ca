import { ApiError } from '../../../shared/api/errors';
import {
  assertCanUndo,
  checkEventLabels,
  currentLabels,
  describeChange,
  describeDiff,
  diffVersions,
  validateDraft,
  type LabelEvent,
} from '../../../shared/features/labels';
import type { Project, ProjectRef } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { HandlerGroup } from '../../core/handler';
import { resolveProject } from '../projects/handlers';
import { assertNotLeasedToOther, updateQueueItem } from '../review/queue-state';
import { agreementReport, conflictList } from './agreement-report';
import { carryForward } from './carry-forward';
import { derivationOptions } from './derivation';

/** After an undo the item is the annotator's again for this long, to decide it anew. */
const UNDO_LEASE_MS = 15 * 60_000;

function exampleOf(ctx: Context, ref: ProjectRef, externalId: string): { project: Project; exampleId: number } {
  const project = resolveProject(ctx, ref);
  const exampleId = ctx.store.labelEvents.visibleExample(project.id, externalId);
  if (exampleId === null) throw new ApiError('not-found', `project '${project.name}' has no example '${externalId}'`);
  return { project, exampleId };
}

function describeCurrent(
  ctx: Context,
  project: Project,
  externalId: string,
  events: LabelEvent[],
  current = currentLabels(events, derivationOptions(project, ctx.store.labelSchemas.latest(project.id))),
) {
  return {
    externalId,
    events: events.length,
    flagged: current.flagged,
    resolution: current.resolution,
    decisions: current.decisions.map((d) => ({
      annotatorId: d.annotatorId,
      action: d.action,
      labels: d.labels,
      eventId: d.eventId,
    })),
  };
}

type LabelMethods =
  | 'labels.versions'
  | 'labels.create'
  | 'labels.diff'
  | 'labels.record'
  | 'labels.current'
  | 'labels.agreement'
  | 'labels.conflicts';

export const labelsHandlers: HandlerGroup<LabelMethods> = {
  'labels.record': async (input, ctx) => {
    const { project, exampleId } = exampleOf(ctx, input.project, input.externalId);
    const events = ctx.store.labelEvents;
    if (input.clientEventId) {
      const earlier = events.byClientId(input.clientEventId);
      if (earlier) {
        if (earlier.example_id !== exampleId)
          throw new ApiError('conflict', `client event id '${input.clientEventId}' was used for another example`);
        return {
          eventId: earlier.id,
          duplicate: true,
          current: describeCurrent(ctx, project, input.externalId, events.forExample(project.id, exampleId)),
        };
      }
    }
    const latest = ctx.store.labelSchemas.latest(project.id);
    if (!latest) throw new ApiError('conflict', `project '${project.name}' has no label schema yet`);
    if (input.schemaVersion !== latest.version) {
      throw new ApiError(
        'conflict',
        `label schema v${input.schemaVersion} of '${project.name}' is not current (v${latest.version} is): reload it and label again`,
        { reason: 'stale-schema', current: latest.version },
      );
    }
    const problems = checkEventLabels(
      project.taskType,
      latest.labels.map((l) => l.id),
      input.action,
      input.labels,
    );
    if (problems.length > 0) throw new ApiError('invalid-input', `labels: ${problems.join('; ')}`);
    if (input.action === 'comment' && !input.comment?.trim())
      throw new ApiError('invalid-input', 'comment: a comment event needs its text');
    const annotatorId = events.annotatorId(input.annotator);
    const options = derivationOptions(project, latest);
    // Read, check, append and move the queue item in one write transaction: no other writer can
    // slip in between, and the acknowledgement below comes after its commit.
    const { eventId, history, current } = ctx.store.db
      .transaction(() => {
        const now = Date.now();
        if (input.action !== 'adjudicate') assertNotLeasedToOther(ctx, project.id, exampleId, annotatorId, now);
        if (input.action === 'undo') assertCanUndo(events.forExample(project.id, exampleId), annotatorId);
        const id = events.append({
          projectId: project.id,
          exampleId,
          annotatorId,
          schemaVersionId: latest.id,
          action: input.action,
          labels: input.labels,
          comment: input.comment ?? null,
          timeSpentMs: input.timeSpentMs ?? null,
          clientEventId: input.clientEventId ?? null,
        });
        const after = events.forExample(project.id, exampleId);
        const derived = currentLabels(after, options);
        updateQueueItem(ctx, project.id, exampleId, annotatorId, input.action, derived, UNDO_LEASE_MS, now);
        return { eventId: id, history: after, current: derived };
      })
      .immediate();
    // Only a project with a learner loads it: a label saved from the CLI starts no faster otherwise.
    if (ctx.store.learn.config(project.id))
      (await import('../learn/after-label')).afterLabel(ctx, project, exampleId, eventId, input.action, current);
    return {
      eventId,
      duplicate: false,
      current: describeCurrent(ctx, project, input.externalId, history, current),
    };
  },

  'labels.current': ({ project: ref, externalId }, ctx) => {
    const { project, exampleId } = exampleOf(ctx, ref, externalId);
    return describeCurrent(ctx, project, externalId, ctx.store.labelEvents.forExample(project.id, exampleId));
  },

  'labels.agreement': (input, ctx) => agreementReport(ctx, resolveProject(ctx, input.project), input.schemaVersion),
  'labels.conflicts': (input, ctx) =>
    conflictList(ctx, resolveProject(ctx, input.project), input.schemaVersion, input.limit),

  'labels.versions': (input, ctx) => ctx.store.labelSchemas.all(resolveProject(ctx, input).id),

  'labels.create': ({ project: ref, draft }, ctx) => {
    const project = resolveProject(ctx, ref);
    const previous = ctx.store.labelSchemas.latest(project.id);
    const checked = validateDraft(
      { ...draft, taskType: project.taskType },
      previous && { taskType: project.taskType, labels: previous.labels, guidelines: previous.guidelines },
    );
    if (!checked.ok) {
      throw new ApiError('invalid-input', `label schema for '${project.name}': ${checked.problems.join('; ')}`, {
        problems: checked.problems,
      });
    }
    const { labels, guidelines, changeNote, mappingFromPrevious } = checked.draft;
    // The new version and the labels it carries forward commit together.
    const result = ctx.store.db
      .transaction(() => {
        const created = ctx.store.labelSchemas.add(project.id, { labels, guidelines, changeNote, mappingFromPrevious });
        const carried = previous
          ? carryForward(ctx, project, previous, created)
          : { carried: 0, requeued: 0, unresolved: 0 };
        return { ...created, carryForward: carried };
      })
      .immediate();
    ctx.emit({ type: 'data.changed', projectId: project.id });
    return result;
  },

  'labels.diff': ({ project: ref, from, to }, ctx) => {
    const project = resolveProject(ctx, ref);
    const a = ctx.store.labelSchemas.byVersion(project.id, from);
    const b = ctx.store.labelSchemas.byVersion(project.id, to);
    if (!a || !b)
      throw new ApiError('not-found', `project '${project.name}' has no label schema version ${!a ? from : to}`);
    const diff = diffVersions(a, b);
    // Between neighbours, the declared renames, merges and splits say more than the raw diff.
    const declared = to === from + 1 && b.mappingFromPrevious ? b.mappingFromPrevious.map(describeChange) : [];
    return { from, to, diff, lines: [...declared, ...describeDiff(diff)] };
  },
};
