import { ApiError } from '../../../shared/api/errors';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { Lineage } from '../insights/lineage';

/** metadata_props key: the external ids of the examples the model was trained on (a JSON array). */
export const TRAINING_EXAMPLES_KEY = 'training_examples';

/**
 * The lineage a file carries in its metadata (the workbench's exported learner names the examples
 * it was fitted on), matched to this project's examples; what could not be matched is a warning.
 */
export function lineageFromCard(
  ctx: Context,
  project: Project,
  props: Record<string, string>,
  source: string,
): { lineage: Lineage | null; warning: string | null } {
  const raw = props[TRAINING_EXAMPLES_KEY];
  if (raw === undefined) return { lineage: null, warning: null };
  let named: unknown;
  try {
    named = JSON.parse(raw);
  } catch {
    named = null;
  }
  if (!Array.isArray(named) || named.some((e) => typeof e !== 'string'))
    throw new ApiError(
      'bad-file',
      `${source}: its metadata '${TRAINING_EXAMPLES_KEY}' is not a JSON list of example ids; fix or remove it, or give --trained-on / --train-until`,
    );
  const ids = ctx.store.trainingExamples.resolve(project.id, named as string[]);
  const unknown = named.length - ids.length;
  const warning =
    unknown === 0
      ? null
      : `${unknown} of the ${named.length} training examples ${source} names are not in project '${project.name}': ` +
        (ids.length === 0
          ? 'no training lineage was recorded'
          : 'only those it has are left out of evaluation as training data');
  return { lineage: ids.length > 0 ? { exportId: null, trainUntil: null, exampleIds: ids } : null, warning };
}
