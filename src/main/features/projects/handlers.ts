import { ApiError } from '../../../shared/api/errors';
import type { Project, ProjectRef } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { HandlerGroup } from '../../core/handler';
import { createProject } from './create-project';

export function resolveProject(ctx: Context, ref: ProjectRef): Project {
  const project = 'projectId' in ref ? ctx.store.projects.byId(ref.projectId) : ctx.store.projects.byName(ref.project);
  if (!project) {
    const what = 'projectId' in ref ? `#${ref.projectId}` : `'${ref.project}'`;
    throw new ApiError('not-found', `no project ${what}`);
  }
  return project;
}

export const projectsHandlers: HandlerGroup<'projects.list' | 'projects.create' | 'projects.stats'> = {
  'projects.list': (_input, ctx) =>
    ctx.store.projects.all().map((p) => ({ ...p, counts: ctx.store.projects.counts(p.id) })),
  'projects.create': (input, ctx) => {
    if (ctx.store.projects.byName(input.name))
      throw new ApiError('conflict', `a project named '${input.name}' already exists`);
    return createProject(ctx, {
      name: input.name,
      taskType: input.taskType,
      inputKind: input.inputKind,
      classes: input.classes,
      featureNames: input.featureNames ?? null,
    });
  },
  'projects.stats': (input, ctx) => {
    const project = resolveProject(ctx, input);
    return { project, counts: ctx.store.projects.counts(project.id), ...ctx.store.projects.stats(project) };
  },
};
