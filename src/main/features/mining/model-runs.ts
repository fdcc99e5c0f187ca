import { ApiError } from '../../../shared/api/errors';
import { modelRunsNeeded, type MiningStrategyName } from '../../../shared/features/mining';
import type { Project } from '../../../shared/features/projects/contract';
import type { ModelRunRow } from '../../store/mining';

export function runLabel(run: ModelRunRow): string {
  return `${run.model_name}@${run.model_version}`;
}

function describe(runs: readonly ModelRunRow[]): string {
  return runs.length === 0 ? 'none' : runs.map(runLabel).join(', ');
}

export function resolveModelRun(
  project: Project,
  available: readonly ModelRunRow[],
  ref: number | string,
): ModelRunRow {
  const found =
    typeof ref === 'number'
      ? available.filter((r) => r.id === ref)
      : available.filter((r) => runLabel(r) === ref || r.model_version === ref);
  if (found.length === 1) return found[0]!;
  if (found.length > 1)
    throw new ApiError('invalid-input', `model run '${ref}' is ambiguous in '${project.name}': say name@version`);
  throw new ApiError(
    'not-found',
    `project '${project.name}' has no model run ${typeof ref === 'number' ? `#${ref}` : `'${ref}'`} with predictions (it has: ${describe(available)})`,
  );
}

/** The model runs a strategy reads: the ones asked for, or the newest that fit it. */
export function chooseModelRuns(
  project: Project,
  strategy: MiningStrategyName,
  available: readonly ModelRunRow[],
  refs: readonly (number | string)[] | undefined,
): ModelRunRow[] {
  if (available.length === 0) {
    throw new ApiError(
      'conflict',
      `project '${project.name}' has no predictions to mine yet: import a prediction log or rescore first`,
      { reason: 'no-predictions' },
    );
  }
  const { min, max } = modelRunsNeeded(strategy);
  if (refs && refs.length > 0) {
    const chosen = refs.map((ref) => resolveModelRun(project, available, ref));
    if (new Set(chosen.map((r) => r.id)).size !== chosen.length)
      throw new ApiError('invalid-input', 'a model run is named twice');
    const fits = strategy === 'random' ? chosen.length === 1 : chosen.length >= min && chosen.length <= max;
    if (!fits) throw new ApiError('invalid-input', `${strategy} ${needs(strategy)}; got ${chosen.length}`);
    return chosen;
  }
  if (available.length < Math.max(min, 1)) {
    throw new ApiError(
      'conflict',
      `${strategy} ${needs(strategy)}, and project '${project.name}' has ${available.length} (${describe(available)}): import or rescore another`,
      { reason: 'too-few-model-runs', has: available.length },
    );
  }
  if (strategy === 'vote-entropy') return [...available];
  return available.slice(-Math.max(min, 1));
}

function needs(strategy: MiningStrategyName): string {
  const { min, max } = modelRunsNeeded(strategy);
  if (strategy === 'random') return 'samples one model run’s examples';
  if (max === Infinity) return `compares at least ${min} model runs`;
  return min === 1 ? 'reads one model run' : `compares exactly ${min} model runs`;
}
