import { ApiError } from '../../../shared/api/errors';
import { describeChange, describeDiff, diffVersions, validateDraft } from '../../../shared/features/labels';
import type { HandlerGroup } from '../../core/handler';
import { resolveProject } from '../projects/handlers';

export const labelsHandlers: HandlerGroup<'labels.versions' | 'labels.create' | 'labels.diff'> = {
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
    const created = ctx.store.labelSchemas.add(project.id, { labels, guidelines, changeNote, mappingFromPrevious });
    ctx.emit({ type: 'data.changed', projectId: project.id });
    return created;
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
