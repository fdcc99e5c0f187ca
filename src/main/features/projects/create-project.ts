import { labelsFromClasses } from '../../../shared/features/labels/from-classes';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';

/** A project starts with label schema version 1: one label per class of its predictions. */
export function createProject(ctx: Context, p: Omit<Project, 'id' | 'createdAt'>): Project {
  const project = ctx.store.db.transaction(() => {
    const created = ctx.store.projects.create(p);
    ctx.store.labelSchemas.add(created.id, {
      labels: labelsFromClasses(created.classes),
      guidelines: '',
      changeNote: 'first version, one label per class of the imported predictions',
      mappingFromPrevious: null,
    });
    return created;
  })();
  ctx.emit({ type: 'data.changed', projectId: project.id });
  return project;
}
