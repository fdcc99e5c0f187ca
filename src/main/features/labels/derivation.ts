import type { Project } from '../../../shared/features/projects/contract';

/** Options that make a binary reject mean the other label. */
export function derivationOptions(project: Project, latest: { labels: { id: string }[] } | null) {
  const binary = project.taskType === 'binary' && latest?.labels.length === 2;
  return binary ? { binaryLabels: [latest.labels[0]!.id, latest.labels[1]!.id] as const } : {};
}
