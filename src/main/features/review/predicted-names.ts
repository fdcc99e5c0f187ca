import type { Project } from '../../../shared/features/projects/contract';

/** Class names of a stored prediction: a class index, or a bitmask of classes (multilabel). */
export function predictedNames(project: Project, predicted: number): string[] {
  if (project.taskType !== 'multilabel') return [project.classes[predicted] ?? String(predicted)];
  return project.classes.filter((_, c) => Math.floor(predicted / 2 ** c) % 2 === 1);
}
