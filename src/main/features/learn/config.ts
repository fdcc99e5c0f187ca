import { ApiError } from '../../../shared/api/errors';
import {
  LEARNER_DEFAULTS,
  type LearnerConfig,
  type LearnerLabelSource,
  type Representation,
} from '../../../shared/features/learn/contract';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { LearnerRow } from '../../store/learn';
import { checkEmbeddings } from './representation';

export function toConfig(row: LearnerRow): LearnerConfig {
  return {
    representation: row.representation,
    every: row.every_labels,
    controlShare: row.control_share,
    labelSource: row.label_source,
    l2: row.l2,
    updatedAt: row.updated_at,
  };
}

/** The project's learner, or a conflict that says how to set one up. */
export function learnerConfig(ctx: Context, project: Project): LearnerConfig {
  const row = ctx.store.learn.config(project.id);
  if (!row)
    throw new ApiError(
      'conflict',
      `project '${project.name}' has no learner yet: run \`flywheel learn ${project.name} --representation features|text|embeddings:MODEL\``,
      { reason: 'no-learner' },
    );
  return toConfig(row);
}

/**
 * Refuses a representation the project cannot give: no logged feature vectors, no text, no
 * encoder of that name. Says what the project does have.
 */
export function checkRepresentation(ctx: Context, project: Project, representation: Representation): void {
  const hasFeatures = ctx.store.learn.hasInput(project.id, 'features');
  const hasText = ctx.store.learn.hasInput(project.id, 'text');
  const instead = [hasFeatures ? "'features'" : null, hasText ? "'text'" : null].filter(Boolean).join(' or ');
  const hint = instead ? `: use ${instead}` : ': import a log whose records carry a feature vector or a text first';
  if (representation === 'features' && !hasFeatures)
    throw new ApiError('invalid-input', `project '${project.name}' has no logged feature vectors${hint}`, {
      reason: 'no-features',
    });
  if (representation === 'text' && !hasText)
    throw new ApiError('invalid-input', `project '${project.name}' has no example text${hint}`, {
      reason: 'no-text',
    });
  if (representation.startsWith('embeddings:'))
    checkEmbeddings(ctx, project, representation.slice('embeddings:'.length));
}

export function configure(
  ctx: Context,
  project: Project,
  asked: {
    representation: Representation;
    every?: number | undefined;
    controlShare?: number | undefined;
    labelSource?: LearnerLabelSource | undefined;
    l2?: number | undefined;
  },
): LearnerConfig {
  checkRepresentation(ctx, project, asked.representation);
  const before = ctx.store.learn.config(project.id);
  ctx.store.learn.configure(
    {
      project_id: project.id,
      representation: asked.representation,
      every_labels: asked.every ?? before?.every_labels ?? LEARNER_DEFAULTS.every,
      control_share: asked.controlShare ?? before?.control_share ?? LEARNER_DEFAULTS.controlShare,
      label_source: asked.labelSource ?? before?.label_source ?? LEARNER_DEFAULTS.labelSource,
      l2: asked.l2 ?? before?.l2 ?? LEARNER_DEFAULTS.l2,
    },
    Date.now(),
  );
  return toConfig(ctx.store.learn.config(project.id)!);
}
