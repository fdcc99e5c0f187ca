import type { Project } from '../../../shared/features/projects/contract';

/** Class indexes of a stored prediction: a class index, or a bitmask of classes (multilabel). */
function predictedIndexes(project: Project, predicted: number): number[] {
  if (project.taskType !== 'multilabel') return [predicted];
  return project.classes.map((_, c) => c).filter((c) => Math.floor(predicted / 2 ** c) % 2 === 1);
}

/** Class names of a stored prediction. */
export function predictedNames(project: Project, predicted: number): string[] {
  return predictedIndexes(project, predicted).map((c) => project.classes[c] ?? String(c));
}

/**
 * The labels of the current schema a stored prediction stands for, read through every version's
 * mapping (`classLabels`: see classLabelIds); null when a class has no single label now (it was
 * split or removed).
 */
export function predictedLabels(
  project: Project,
  predicted: number,
  classLabels: readonly (string | null)[],
): string[] | null {
  const ids = predictedIndexes(project, predicted).map((c) => classLabels[c] ?? null);
  if (ids.some((id) => id === null)) return null;
  return [...new Set(ids as string[])];
}
