import type { Project } from '../projects/contract';
import type { ImportMapping } from './mapping';
import { createRowValidator, type RawRow, type RowResult } from './row-validator';

export type TargetProject = Pick<Project, 'name' | 'taskType' | 'inputKind' | 'classes'>;

/** Why a mapping cannot fill an existing project, in words; null when it can. */
export function projectMismatch(project: TargetProject, mapping: ImportMapping): string | null {
  if (project.taskType !== mapping.taskType) {
    return `project '${project.name}' is ${project.taskType}, the mapping says ${mapping.taskType}`;
  }
  if (project.inputKind !== mapping.inputKind) {
    return `project '${project.name}' has ${project.inputKind} inputs, the mapping says ${mapping.inputKind}`;
  }
  const missing = mapping.classes.filter((c) => !project.classes.includes(c));
  const extra = project.classes.filter((c) => !mapping.classes.includes(c));
  if (missing.length > 0 || extra.length > 0) {
    return (
      `the mapping's classes (${mapping.classes.join(', ')}) differ from project '${project.name}' (${project.classes.join(', ')})` +
      (missing.length ? `; not in the project: ${missing.join(', ')}` : '') +
      (extra.length ? `; missing from the mapping: ${extra.join(', ')}` : '')
    );
  }
  return null;
}

/**
 * The row validator of an import of `mapping` into `project` (null: a new project made from the
 * mapping), after every check the import makes before reading its first row. The preview's "Check
 * mapping" and the import itself both come through here, so a mapping the check passes is one the
 * import accepts. Throws an Error whose message says what is wrong.
 */
export function importValidator(mapping: ImportMapping, project: TargetProject | null): (raw: RawRow) => RowResult {
  const mismatch = project ? projectMismatch(project, mapping) : null;
  if (mismatch) throw new Error(mismatch);
  return createRowValidator(mapping, project?.classes ?? mapping.classes);
}
